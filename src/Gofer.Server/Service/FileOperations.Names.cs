using Gofer.Native;
using Gofer.Protocol.V1;
using Google.Protobuf;

namespace Gofer.Server.Service;

public sealed unsafe partial class FileOperations
{
    /// <summary>Longest symlink target (PATH_MAX minus the NUL).</summary>
    public const int MaxSymlinkTarget = 4095;

    public MkdirResponse Mkdir(CallHandles handles, MkdirRequest request)
    {
        var (dir, name, printable) = WritableDirectory(handles, request.Directory, request.Name, "mkdir");
        handles.Reserve();
        fixed (byte* n = name)
        {
            ErrnoException.ThrowIfError(Syscalls.MkdirAt(dir.Fd.Fd, n, request.Mode & 0xFFF), "mkdir", printable);
        }

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
        fixed (byte* n = name)
        {
            ErrnoException.ThrowIfError(Syscalls.MknodAt(dir.Fd.Fd, n, type | (request.Mode & 0xFFF), 0), "mknod", printable);
        }

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
        var terminated = new byte[target.Length + 1];
        target.CopyTo(terminated);
        handles.Reserve();
        fixed (byte* t = terminated)
        fixed (byte* n = name)
        {
            ErrnoException.ThrowIfError(Syscalls.SymlinkAt(t, dir.Fd.Fd, n), "symlink", printable);
        }

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

        // linkat of the descriptor's magic link with AT_SYMLINK_FOLLOW links the file itself
        // (a symlink stays a symlink) without the CAP_DAC_READ_SEARCH that AT_EMPTY_PATH needs.
        fixed (byte* source = Syscalls.Encode(target.Fd.ProcPath))
        fixed (byte* n = name)
        {
            ErrnoException.ThrowIfError(Syscalls.LinkAt(Syscalls.AT_FDCWD, source, dir.Fd.Fd, n, Syscalls.AT_SYMLINK_FOLLOW), "link", printable);
        }

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
        long n;
        byte empty = 0;
        fixed (byte* b = buffer)
        {
            n = ErrnoException.ThrowIfError(Syscalls.ReadlinkAt(node.Fd.Fd, &empty, b, buffer.Length), "readlink");
        }

        return new ReadlinkResponse { Target = ByteString.CopyFrom(buffer, 0, (int)n) };
    }

    public UnlinkResponse Unlink(CallHandles handles, UnlinkRequest request)
    {
        var operation = request.RemoveDirectory ? "rmdir" : "unlink";
        var (dir, name, printable) = WritableDirectory(handles, request.Directory, request.Name, operation);
        fixed (byte* n = name)
        {
            ErrnoException.ThrowIfError(Syscalls.UnlinkAt(dir.Fd.Fd, n, request.RemoveDirectory ? Syscalls.AT_REMOVEDIR : 0), operation, printable);
        }

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

        fixed (byte* o = oldName)
        fixed (byte* n = newName)
        {
            ErrnoException.ThrowIfError(Syscalls.RenameAt2(oldDir.Fd.Fd, o, newDir.Fd.Fd, n, request.Flags), "rename", oldPrintable);
        }

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
        FileDescriptor fd;
        fixed (byte* n = name)
        {
            fd = Syscalls.OpenAt(dir.Fd.Fd, n, Syscalls.O_PATH | Syscalls.O_NOFOLLOW, 0, out var error)
                ?? throw new ErrnoException(error, operation, printable);
        }

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
    private static void SetOwner(FileDescriptor fd, uint uid, uint gid, string operation, string? name)
    {
        byte empty = 0;
        ErrnoException.ThrowIfError(Syscalls.FchownAt(fd.Fd, &empty, uid, gid, Syscalls.AT_EMPTY_PATH | Syscalls.AT_SYMLINK_NOFOLLOW), operation, name);
    }
}
