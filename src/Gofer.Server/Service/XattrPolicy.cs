using Gofer.Native;

namespace Gofer.Server.Service;

/// <summary>
/// Which extended attributes a client may touch. <c>user.*</c> describes files and is the
/// container's own business. The overlay's private prefix is allowed on the layers of an overlay
/// mount so the sentry can read and write whiteout/opaque/redirect markers there. Everything else
/// is refused: <c>security.*</c> holds capabilities and LSM labels the host kernel acts on,
/// <c>system.*</c> holds ACLs that would change who on the host may open the file, and other
/// <c>trusted.*</c> names are reserved to host administrators. The <c>security.*</c> and
/// <c>system.*</c> namespaces are not served at all, and say so (EOPNOTSUPP) rather than EPERM:
/// that is what a filesystem without them answers, and what tools such as ls(1) and cp -a, which
/// probe for labels and ACLs on every file, take quietly.
/// </summary>
public static class XattrPolicy
{
    /// <summary>Longest xattr name the kernel accepts (XATTR_NAME_MAX).</summary>
    public const int MaxNameLength = 255;

    /// <summary>Largest xattr value the kernel accepts (XATTR_SIZE_MAX).</summary>
    public const int MaxValueSize = 65_536;

    public static bool IsAllowed(string name, ServedLayer layer) =>
        name.StartsWith("user.", StringComparison.Ordinal) && name.Length > "user.".Length
        || layer.OverlayXattrPrefix is { } prefix && name.StartsWith(prefix, StringComparison.Ordinal) && name.Length > prefix.Length;

    /// <summary>
    /// Refuses (EPERM) a change of an xattr a client may read but not write. Called once the name
    /// passed <see cref="Check"/> and the layer is known writable (a read-only layer answers EROFS
    /// first, whatever the name). Under the overlay's prefix a client may write only the markers the composition writes —
    /// <c>opaque</c> ("y") and <c>redirect</c>, on directories — and its files' own xattrs of that
    /// prefix, which are stored escaped (<c>PREFIX + "overlay." + name</c>, as the kernel escapes
    /// them). Every other marker (origin, metacopy, upper, impure, nlink, uuid, protattr, whiteout,
    /// …) is what the kernel's overlayfs trusts about a file without checking it: origin and upper
    /// name other files by handle, metacopy says where a file's data really is. Stored as a client
    /// gave them, a kernel later mounting this upper (with metacopy or index on) would act on them,
    /// so they are refused (EPERM) here, where the gofer still decides.
    /// </summary>
    public static void CheckChange(string name, Node node, ReadOnlySpan<byte> value, string operation)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.Layer.OverlayXattrPrefix is { } prefix && name.StartsWith(prefix, StringComparison.Ordinal))
        {
            var marker = name[prefix.Length..];
            var allowed = marker.StartsWith("overlay.", StringComparison.Ordinal)
                || (node.IsDirectory && marker == "redirect")
                || (node.IsDirectory && marker == "opaque" && (value.IsEmpty || value.SequenceEqual("y"u8)));
            if (!allowed)
            {
                throw new ErrnoException(Errno.EPERM, operation, $"{name} (the overlay's own marker: only opaque=y and redirect on directories are written through the gofer)");
            }
        }
    }

    /// <summary>The name's UTF-8 bytes (the system calls add the NUL), or EOPNOTSUPP/EPERM/EINVAL/ERANGE naming it.</summary>
    public static byte[] Check(string name, ServedLayer layer, string operation)
    {
        if (name.Length == 0 || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ErrnoException(Errno.EINVAL, operation, name);
        }

        if (!IsAllowed(name, layer))
        {
            var unserved = name.StartsWith("security.", StringComparison.Ordinal) || name.StartsWith("system.", StringComparison.Ordinal);
            throw new ErrnoException(unserved ? Errno.EOPNOTSUPP : Errno.EPERM, operation, name);
        }

        var encoded = System.Text.Encoding.UTF8.GetBytes(name);
        return encoded.Length > MaxNameLength ? throw new ErrnoException(Errno.ERANGE, operation, name) : encoded;
    }
}
