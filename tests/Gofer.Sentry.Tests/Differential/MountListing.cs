namespace Gofer.Sentry.Tests.Differential;

/// <summary>
/// A stand-in executor that needs no `gofer exec`: it ignores its input and lists every entry
/// below a directory (type, mode, size, link count, owner, symlink target) and the xattrs matching
/// a pattern, in byte order. The harness checks itself with it.
/// </summary>
public static class MountListing
{
    /// <param name="xattrPattern">A getfattr <c>-m</c> regular expression: <c>^user\.</c>, or <c>-</c> for every namespace.</param>
    public static Func<string, IReadOnlyList<string>> Of(string xattrPattern) => directory =>
    [
        "sh", "-c",
        """cd "$1" && find . -printf '%P %y %m %s %n %U %G %l\n' | LC_ALL=C sort && find . -print0 | LC_ALL=C sort -z | xargs -0 getfattr -h -d -m "$2" --""",
        "sh", directory, xattrPattern,
    ];
}
