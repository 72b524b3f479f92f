using Gofer.Native;

namespace Gofer.Sentry.Composition;

/// <summary>
/// A redirect xattr's value as a lookup path. The value comes from the layers, which the gofer's
/// client does not control and must not trust: it is checked as the kernel checks it
/// (fs/overlayfs/util.c, ovl_get_redirect_xattr) before any component of it is looked up, and its
/// components only ever name entries inside the layers, looked up one by one by the gofer.
/// </summary>
public static class RedirectPath
{
    /// <summary>
    /// The longest redirect the sentry follows, PATH_MAX. The kernel reads any length; a longer
    /// one cannot have been made by a rename (those stop at redirect_max), so it is refused as invalid.
    /// </summary>
    public const int MaxFollowedLength = 4096;

    /// <summary>The longest redirect a rename writes: the kernel's redirect_max module parameter, default 256.</summary>
    public const int MaxCreatedLength = 256;

    /// <summary>The longest name a layer can hold (NAME_MAX).</summary>
    public const int MaxNameLength = 255;

    /// <summary>
    /// The components of a redirect, and whether it is absolute (from the root of the lower layers)
    /// or a single name (in the parent's lower directories). EINVAL, as the kernel's lookup answers,
    /// for an empty value, an empty component ("//", a trailing '/'), a '/' in a relative one, or one
    /// over <see cref="MaxFollowedLength"/>; EACCES, as the kernel's lookup_one answers, for a "."
    /// or ".." component, so a redirect never climbs out of the directory it names.
    /// </summary>
    public static (bool Absolute, IReadOnlyList<string> Components) Parse(string value, string path)
    {
        // The kernel reads the value as a C string: a NUL ends it.
        var text = value.Contains('\0', StringComparison.Ordinal) ? value[..value.IndexOf('\0', StringComparison.Ordinal)] : value;
        if (value.Length == 0 || text.Length > MaxFollowedLength)
        {
            throw new ErrnoException(Errno.EINVAL, "redirect", path);
        }

        var absolute = text.StartsWith('/');
        var components = absolute ? text[1..].Split('/') : [text];
        if ((absolute && components.Any(c => c.Length == 0)) || (!absolute && text.Contains('/', StringComparison.Ordinal)))
        {
            throw new ErrnoException(Errno.EINVAL, "redirect", path);
        }

        if (components.Any(c => c is "" or "." or ".."))
        {
            throw new ErrnoException(Errno.EACCES, "redirect", path);
        }

        return (absolute, components);
    }
}
