using Gofer.Native;
using Gofer.Protocol.V1;
using Google.Protobuf;

namespace Gofer.Server.Service;

public sealed partial class FileOperations
{
    /// <summary>Longest symlink target (PATH_MAX minus the NUL).</summary>
    public const int MaxSymlinkTarget = 4095;

    public MkdirResponse Mkdir(CallHandles handles, MkdirRequest request)
    {
        var (dir, name, printable) = WritableDirectory(handles, request.Directory, request.Name, "mkdir");
        handles.Reserve();
        ErrnoException.ThrowIfError(Syscalls.MkdirAt(dir.Fd, name, request.Mode & 0xFFF), "mkdir", printable);

        var (handle, stat) = AdoptNew(handles, dir, name, request.HasUid ? request.Uid : null, request.HasGid ? request.Gid : null, "mkdir", printable);
        return new MkdirResponse { Handle = handle, Stat = stat };
    }

    public MknodResponse Mknod(CallHandles handles, MknodRequest request)
    {
        var (dir, name, printable) = WritableDirectory(handles, request.Directory, request.Name, "mknod");
        var type = request.Mode & FileStatus.TypeMask;

        // Only what an overlay needs: files, FIFOs and the 0/0 whiteout. A real device node would
        // hand the container a door to a host device; a socket node has no use here.
        var allowed = type is FileStatus.Regular or FileStatus.Fifo || (type == FileStatus.CharDevice && request.Rdev == 0);
        if (!allowed)
        {
            throw new ErrnoException(Errno.EPERM, "mknod", printable);
        }

        if (type != FileStatus.CharDevice && request.Rdev != 0)
        {
            throw new ErrnoException(Errno.EINVAL, "mknod", printable);
        }

        handles.Reserve();
        ErrnoException.ThrowIfError(Syscalls.MknodAt(dir.Fd, name, type | (request.Mode & 0xFFF), 0), "mknod", printable);

        var (handle, stat) = AdoptNew(handles, dir, name, request.HasUid ? request.Uid : null, request.HasGid ? request.Gid : null, "mknod", printable);
        return new MknodResponse { Handle = handle, Stat = stat };
    }

    public SymlinkResponse Symlink(CallHandles handles, SymlinkRequest request)
    {
        var (dir, name, printable) = WritableDirectory(handles, request.Directory, request.Name, "symlink");
        var target = request.Target.Span;
        if (target.Length == 0 || target.IndexOf((byte)0) >= 0)
        {
            throw new ErrnoException(target.Length == 0 ? Errno.ENOENT : Errno.EINVAL, "symlink", printable);
        }

        if (target.Length > MaxSymlinkTarget)
        {
            throw new ErrnoException(Errno.ENAMETOOLONG, "symlink", printable);
        }

        // The target is stored as bytes and never resolved by the gofer: it only means something
        // to the client, which resolves it within its own view.
        handles.Reserve();
        ErrnoException.ThrowIfError(Syscalls.SymlinkAt(target, dir.Fd, name), "symlink", printable);

        var (handle, stat) = AdoptNew(handles, dir, name, request.HasUid ? request.Uid : null, request.HasGid ? request.Gid : null, "symlink", printable);
        return new SymlinkResponse { Handle = handle, Stat = stat };
    }

    public LinkResponse Link(CallHandles handles, LinkRequest request)
    {
        var target = handles.Get(request.Target, "link");
        var (dir, name, printable) = WritableDirectory(handles, request.Directory, request.Name, "link");
        if (target.IsDirectory)
        {
            throw new ErrnoException(Errno.EPERM, "link", printable);
        }

        if (target.Layer != dir.Layer)
        {
            throw new ErrnoException(Errno.EXDEV, "link", printable);
        }

        handles.Reserve();

        // The file the handle refers to is linked itself (a symlink stays a symlink); its name
        // is never looked up again, and no CAP_DAC_READ_SEARCH is needed (see Syscalls.Link).
        ErrnoException.ThrowIfError(Syscalls.Link(target.Fd, dir.Fd, name), "link", printable);

        var (handle, stat) = AdoptNew(handles, dir, name, null, null, "link", printable);
        return new LinkResponse { Handle = handle, Stat = stat };
    }

    public ReadlinkResponse Readlink(CallHandles handles, ReadlinkRequest request)
    {
        var node = handles.Get(request.Handle, "readlink");
        if (node.Type != FileStatus.Symlink)
        {
            throw new ErrnoException(Errno.EINVAL, "readlink", $"handle {request.Handle} (not a symlink)");
        }

        var buffer = new byte[MaxSymlinkTarget + 1];
        var n = ErrnoException.ThrowIfError(Syscalls.ReadLink(node.Fd, buffer), "readlink");

        return new ReadlinkResponse { Target = ByteString.CopyFrom(buffer, 0, (int)n) };
    }

    public UnlinkResponse Unlink(CallHandles handles, UnlinkRequest request)
    {
        var operation = request.RemoveDirectory ? "rmdir" : "unlink";
        var (dir, name, printable) = WritableDirectory(handles, request.Directory, request.Name, operation);
        ErrnoException.ThrowIfError(Syscalls.UnlinkAt(dir.Fd, name, request.RemoveDirectory ? Syscalls.AT_REMOVEDIR : 0), operation, printable);

        return new UnlinkResponse();
    }

    public RenameResponse Rename(CallHandles handles, RenameRequest request)
    {
        var (oldDir, oldName, oldPrintable) = WritableDirectory(handles, request.OldDirectory, request.OldName, "rename");
        var (newDir, newName, _) = WritableDirectory(handles, request.NewDirectory, request.NewName, "rename");
        const uint known = Syscalls.RENAME_NOREPLACE | Syscalls.RENAME_EXCHANGE | Syscalls.RENAME_WHITEOUT;
        if ((request.Flags & ~known) != 0)
        {
            throw new ErrnoException(Errno.EINVAL, "rename", $"{oldPrintable} (flags 0x{request.Flags:x})");
        }

        if (oldDir.Layer != newDir.Layer)
        {
            throw new ErrnoException(Errno.EXDEV, "rename", oldPrintable);
        }

        ErrnoException.ThrowIfError(Syscalls.RenameAt2(oldDir.Fd, oldName, newDir.Fd, newName, request.Flags), "rename", oldPrintable);

        return new RenameResponse();
    }

    /// <summary>A writable directory handle and a checked name in it.</summary>
    private static (Node Dir, byte[] Name, string Printable) WritableDirectory(CallHandles handles, ulong handle, ByteString name, string operation)
    {
        var dir = Directory(handles, handle, operation);
        var checkedName = ComponentName.Check(name, operation);
        var printable = Printable(name);
        RequireWritable(dir.Layer, operation, printable);
        return (dir, checkedName, printable);
    }

    /// <summary>
    /// Looks up a name just made by the gofer, gives it its owner, and hands the client a handle —
    /// the one the call reserved before making the name (<see cref="CallHandles.Reserve"/>), so a
    /// spent budget fails the call before anything is made, not after.
    /// </summary>
    private static (ulong Handle, Stat Stat) AdoptNew(CallHandles handles, Node dir, byte[] name, uint? uid, uint? gid, string operation, string printable)
    {
        var fd = Syscalls.OpenAt(dir.Fd, name, Syscalls.O_PATH | Syscalls.O_NOFOLLOW, 0, out var error)
            ?? throw new ErrnoException(error, operation, printable);

        try
        {
            if (uid is not null || gid is not null)
            {
                SetOwner(fd, uid ?? uint.MaxValue, gid ?? uint.MaxValue, operation, printable);
            }

            var stat = StatOf(fd, operation, null);
            return (handles.Add(new Node(dir.Layer, fd, stat.Type)), stat.ToMessage());
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>fchownat on the descriptor itself (a symlink included); uint.MaxValue leaves an id as it is.</summary>
    private static void SetOwner(FileDescriptor fd, uint uid, uint gid, string operation, string? name) =>
        ErrnoException.ThrowIfError(Syscalls.Chown(fd, uid, gid), operation, name);
}
