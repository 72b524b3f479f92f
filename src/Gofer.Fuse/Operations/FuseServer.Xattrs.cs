using System.Text;
using Gofer.Fuse.Protocol;
using Gofer.Native;
using Gofer.Sentry.FileSystem;

namespace Gofer.Fuse.Operations;

/// <summary>
/// Extended attributes. Which names a caller may touch is the kernel's check (trusted.* needs
/// CAP_SYS_ADMIN, user.* the file's permissions); the sentry hides and escapes the overlay's own
/// markers, so no request reaches them.
/// </summary>
internal sealed partial class FuseServer
{
    /// <summary>
    /// Whether the gofer serves an xattr name at all: it serves user.* and the overlay's trusted.*
    /// and keeps security.* and system.* (capabilities, LSM labels, ACLs the host acts on) from
    /// every client. The view therefore has none of those: reading one answers ENODATA here,
    /// without a round trip — the kernel asks for security.capability before every write — and
    /// setting one EOPNOTSUPP, as a filesystem without them does. (EOPNOTSUPP to a read would make
    /// the kernel stop asking for every xattr, user.* included.)
    /// </summary>
    private static bool IsServed(string name) =>
        name.StartsWith("user.", StringComparison.Ordinal) || name.StartsWith("trusted.", StringComparison.Ordinal);

    private void SetXattr(in FuseInHeader h, ref RequestReader args)
    {
        var set = args.Read<FuseSetXattrIn>();
        var node = nodes.Get(h.NodeId);
        var name = args.ReadName();
        var value = args.ReadBytes((int)set.Size).ToArray();
        if (!IsServed(name))
        {
            throw new ErrnoException(Errno.EOPNOTSUPP, "setxattr", name);
        }

        var mode = set.Flags switch
        {
            0 => XattrMode.Any,
            Syscalls.XATTR_CREATE => XattrMode.Create,
            Syscalls.XATTR_REPLACE => XattrMode.Replace,
            _ => throw new ErrnoException(Errno.EINVAL, "setxattr", $"flags {set.Flags}"),
        };
        var wasUpper = IsUpper(node);
        fs.SetXattr(node.Path, name, value, mode);
        NoteCopyUp(node, wasUpper);
        reply.Ok(h.Unique);
    }

    private void GetXattr(in FuseInHeader h, ref RequestReader args)
    {
        var size = args.Read<FuseGetXattrIn>().Size;
        var node = nodes.Get(h.NodeId);
        var name = args.ReadName();
        if (!IsServed(name))
        {
            throw new ErrnoException(Errno.ENODATA, "getxattr", name);
        }

        ReplySized(h.Unique, size, fs.GetXattr(node.Path, name));
    }

    private void ListXattr(in FuseInHeader h, ref RequestReader args)
    {
        var size = args.Read<FuseGetXattrIn>().Size;
        var node = nodes.Get(h.NodeId);
        using var list = new MemoryStream();
        foreach (var name in fs.ListXattr(node.Path))
        {
            list.Write(Encoding.UTF8.GetBytes(name));
            list.WriteByte(0);
        }

        ReplySized(h.Unique, size, list.ToArray());
    }

    /// <summary>getxattr(2)/listxattr(2) answers: the size alone when asked with size 0, ERANGE when the caller's buffer is too small.</summary>
    private void ReplySized(ulong unique, uint size, byte[] value)
    {
        if (size == 0)
        {
            reply.Ok(unique, new FuseGetXattrOut { Size = (uint)value.Length });
        }
        else if (value.Length > size)
        {
            reply.Error(unique, Errno.ERANGE);
        }
        else
        {
            reply.Ok(unique, value);
        }
    }

    private void RemoveXattr(in FuseInHeader h, ref RequestReader args)
    {
        var node = nodes.Get(h.NodeId);
        var name = args.ReadName();
        if (!IsServed(name))
        {
            throw new ErrnoException(Errno.EOPNOTSUPP, "removexattr", name);
        }

        var wasUpper = IsUpper(node);
        fs.RemoveXattr(node.Path, name);
        NoteCopyUp(node, wasUpper);
        reply.Ok(h.Unique);
    }
}
