namespace Gofer.Sentry.Host;

/// <summary>
/// A path cut before its last component, for the calls that act on a name in a directory
/// (mkdir, unlink, rename, …) and so must not resolve that name themselves.
/// </summary>
/// <param name="Parent">Everything before the last component (resolved with openat2, intermediate symlinks followed).</param>
/// <param name="Name">
/// The last component with any trailing slashes, handed to the *at call as is so the kernel applies
/// its own rules to them (mkdir accepts "d/", unlink refuses it, rename checks both sides). None of
/// those calls follows a final symlink, so the name never leads outside the directory; <c>.</c> and
/// <c>..</c> are refused by their type before any lookup.
/// </param>
/// <param name="IsRoot">
/// The path names the root itself ("/", "//"). The kernel gives the root its own component type,
/// which the *at calls cannot be handed from a descriptor; the nearest is <c>.</c>, which every
/// name call refuses with the same errno as the root except rmdir (EINVAL for ".", EBUSY for "/").
/// </param>
internal readonly record struct FinalComponent(string Parent, string Name, bool IsRoot)
{
    public static FinalComponent Of(string path)
    {
        var end = path.Length;
        while (end > 0 && path[end - 1] == '/')
        {
            end--;
        }

        if (end == 0)
        {
            return new FinalComponent("/", ".", IsRoot: true);
        }

        var start = path.LastIndexOf('/', end - 1) + 1;
        return new FinalComponent(start == 0 ? "/" : path[..start], path[start..], IsRoot: false);
    }
}
