using Gofer.Native;
using Gofer.Protocol.V1;
using Google.Protobuf;

namespace Gofer.Server.Service;

public sealed partial class FileOperations
{
    public SetAttrResponse SetAttr(CallHandles handles, SetAttrRequest request)
    {
        var node = handles.Get(request.Handle, "setattr");
        RequireWritable(node.Layer, "setattr", null);
        Apply(SetAttrPart.Size, request.HasSize, () => Truncate(node, request.Size));
        Apply(SetAttrPart.Mode, request.HasMode, () => Chmod(node, request.Mode));
        Apply(SetAttrPart.Owner, request.HasUid || request.HasGid, () =>
            SetOwner(node.Fd, request.HasUid ? request.Uid : uint.MaxValue, request.HasGid ? request.Gid : uint.MaxValue, "setattr", null));
        Apply(SetAttrPart.Times, request.Atime is not null || request.Mtime is not null, () => SetTimes(node, request.Atime, request.Mtime));
        return new SetAttrResponse { Stat = StatOf(node.Fd, "setattr", null).ToMessage() };
    }

    private static void Apply(SetAttrPart part, bool wanted, Action change)
    {
        if (!wanted)
        {
            return;
        }

        try
        {
            change();
        }
        catch (ErrnoException e)
        {
            throw new SetAttrException(part, e);
        }
    }

    private static void Truncate(Node node, long size)
    {
        if (size < 0)
        {
            throw new ErrnoException(Errno.EINVAL, "truncate", $"size {size}");
        }

        if (node.IsDirectory)
        {
            throw new ErrnoException(Errno.EISDIR, "truncate");
        }

        if (node.Type != FileStatus.Regular)
        {
            throw new ErrnoException(Errno.EINVAL, "truncate");
        }

        if (node.CanWrite)
        {
            ErrnoException.ThrowIfError(Syscalls.Ftruncate(node.Fd, size), "truncate");
            return;
        }

        using var fd = Reopen(node.Fd, Syscalls.O_WRONLY | Syscalls.O_NONBLOCK, "truncate", null);
        ErrnoException.ThrowIfError(Syscalls.Ftruncate(fd, size), "truncate");
    }

    private static void Chmod(Node node, uint mode)
    {
        if ((mode & ~0xFFFu) != 0)
        {
            throw new ErrnoException(Errno.EINVAL, "chmod", $"mode 0{Convert.ToString(mode, 8)}");
        }

        // Linux has no mode for symlinks: chmod of one is EOPNOTSUPP, as fchmodat(AT_SYMLINK_NOFOLLOW) says.
        if (node.Type == FileStatus.Symlink)
        {
            throw new ErrnoException(Errno.EOPNOTSUPP, "chmod");
        }

        ErrnoException.ThrowIfError(Syscalls.Chmod(node.Fd, mode), "chmod");
    }

    private static void SetTimes(Node node, Timespec? atime, Timespec? mtime)
    {
        foreach (var t in new[] { atime, mtime })
        {
            if (t is { Nsec: >= 1_000_000_000 })
            {
                throw new ErrnoException(Errno.EINVAL, "utimes", $"nsec {t.Nsec}");
            }
        }

        ErrnoException.ThrowIfError(
            Syscalls.SetTimes(node.Fd, atime is null ? null : (atime.Sec, atime.Nsec), mtime is null ? null : (mtime.Sec, mtime.Nsec)),
            "utimes");
    }

    public GetXattrResponse GetXattr(CallHandles handles, GetXattrRequest request)
    {
        var node = handles.Get(request.Handle, "getxattr");
        var name = XattrPolicy.Check(request.Name, node.Layer, "getxattr");
        var buffer = new byte[XattrPolicy.MaxValueSize];
        var n = ErrnoException.ThrowIfError(Xattrs.Get(node.Fd, name, buffer), "getxattr", request.Name);

        return new GetXattrResponse { Value = ByteString.CopyFrom(buffer, 0, (int)n) };
    }

    public SetXattrResponse SetXattr(CallHandles handles, SetXattrRequest request)
    {
        var node = handles.Get(request.Handle, "setxattr");
        var name = XattrPolicy.Check(request.Name, node.Layer, "setxattr");
        RequireWritable(node.Layer, "setxattr", request.Name);
        XattrPolicy.CheckChange(request.Name, node, request.Value.Span, "setxattr");
        if (request.Value.Length > XattrPolicy.MaxValueSize)
        {
            throw new ErrnoException(Errno.E2BIG, "setxattr", request.Name);
        }

        var flags = request.Flags switch
        {
            XattrFlag.None => 0,
            XattrFlag.Create => Syscalls.XATTR_CREATE,
            XattrFlag.Replace => Syscalls.XATTR_REPLACE,
            _ => throw new ErrnoException(Errno.EINVAL, "setxattr", $"{request.Name} (flags {(int)request.Flags})"),
        };
        ErrnoException.ThrowIfError(Xattrs.Set(node.Fd, name, request.Value.Span, flags), "setxattr", request.Name);

        return new SetXattrResponse();
    }

    public ListXattrResponse ListXattr(CallHandles handles, ListXattrRequest request)
    {
        var node = handles.Get(request.Handle, "listxattr");
        var buffer = new byte[XattrPolicy.MaxValueSize];
        var n = ErrnoException.ThrowIfError(Xattrs.List(node.Fd, buffer), "listxattr");

        var response = new ListXattrResponse();
        foreach (var range in buffer.AsSpan(0, (int)n).Split((byte)0))
        {
            var name = System.Text.Encoding.UTF8.GetString(buffer.AsSpan(0, (int)n)[range]);
            // Names outside the policy stay invisible: listing them would tell the client of
            // labels and capabilities it may not touch.
            if (name.Length > 0 && XattrPolicy.IsAllowed(name, node.Layer))
            {
                response.Names.Add(name);
            }
        }

        return response;
    }

    public RemoveXattrResponse RemoveXattr(CallHandles handles, RemoveXattrRequest request)
    {
        var node = handles.Get(request.Handle, "removexattr");
        var name = XattrPolicy.Check(request.Name, node.Layer, "removexattr");
        RequireWritable(node.Layer, "removexattr", request.Name);
        XattrPolicy.CheckChange(request.Name, node, default, "removexattr");
        ErrnoException.ThrowIfError(Xattrs.Remove(node.Fd, name), "removexattr", request.Name);

        return new RemoveXattrResponse();
    }

    public StatFsResponse StatFs(CallHandles handles, StatFsRequest request)
    {
        var node = handles.Get(request.Handle, "statfs");
        ErrnoException.ThrowIfError(Syscalls.Fstatfs(node.Fd, out var status), "statfs");
        return status.ToMessage();
    }

    public CloseResponse Close(CallHandles handles, CloseRequest request)
    {
        var response = new CloseResponse();
        foreach (var handle in request.Handles)
        {
            if (!handles.Remove(handle))
            {
                response.Unknown.Add(handle);
            }
        }

        return response;
    }
}
