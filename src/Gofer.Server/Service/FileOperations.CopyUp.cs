using System.Text;
using Gofer.Native;
using Gofer.Protocol.Layers;
using Gofer.Protocol.V1;

namespace Gofer.Server.Service;

public sealed partial class FileOperations
{
    public CopyUpResponse CopyUp(CallHandles handles, CopyUpRequest request)
    {
        var source = handles.Get(request.Source, "copyup");
        var (dir, name, printable) = WritableDirectory(handles, request.Directory, request.Name, "copyup");
        if (source.Layer == dir.Layer)
        {
            throw new ErrnoException(Errno.EINVAL, "copyup", $"{printable} (source and target in one layer)");
        }

        var stat = StatOf(source.Fd, "copyup", null);
        var skipPrefix = dir.Layer.OverlayXattrPrefix;

        // Reserved before the copy lands at its name, which cannot be taken back.
        handles.Reserve();
        var copy = stat.Type switch
        {
            FileStatus.Regular => CopyRegularFile(source, dir, name, stat, skipPrefix, printable),
            FileStatus.Directory or FileStatus.Symlink or FileStatus.Fifo => MakeAndDescribe(source, dir, name, stat, skipPrefix, printable),

            // Devices would be host devices, sockets have no content, and whiteouts are never copied up.
            _ => throw new ErrnoException(Errno.EPERM, "copyup", printable),
        };

        try
        {
            var copied = StatOf(copy, "copyup", null);
            return new CopyUpResponse { Handle = handles.Add(new Node(dir.Layer, copy, copied.Type)), Stat = copied.ToMessage() };
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Builds the copy as an unnamed O_TMPFILE in the target directory — data, then owner, mode,
    /// xattrs and times — and links it under its name last: before that instant the name does not
    /// exist, after it the copy is whole. A gofer killed midway leaves nothing behind (the kernel
    /// frees an unlinked O_TMPFILE), which is what makes copy-up crash-safe without a work directory.
    /// </summary>
    private static FileDescriptor CopyRegularFile(Node source, Node dir, byte[] name, FileStatus stat, string? skipPrefix, string printable)
    {
        using var input = Reopen(source.Fd, Syscalls.O_RDONLY | Syscalls.O_NOATIME, "copyup", printable);
        var temp = Syscalls.OpenAt(dir.Fd, "."u8, Syscalls.O_TMPFILE | Syscalls.O_WRONLY, stat.Mode & 0xFFF, out var error)
            ?? throw new ErrnoException(error, "copyup (O_TMPFILE)", printable);
        try
        {
            CopyData(input, temp, stat.Size, printable);
            CopyMetadata(source, temp, stat, skipPrefix, printable);
            ErrnoException.ThrowIfError(Syscalls.Link(temp, dir.Fd, name), "copyup (link)", printable);
            using (temp)
            {
                return Syscalls.OpenAt(dir.Fd, name, Syscalls.O_PATH | Syscalls.O_NOFOLLOW, 0, out error)
                    ?? throw new ErrnoException(error, "copyup", printable);
            }
        }
        catch
        {
            temp.Dispose();
            throw;
        }
    }

    /// <summary>copy_file_range (a reflink where the filesystem can), falling back to read and write between filesystems.</summary>
    private static void CopyData(FileDescriptor input, FileDescriptor output, long size, string printable)
    {
        var offset = 0L;
        while (offset < size)
        {
            var n = Syscalls.CopyFileRange(input, offset, output, offset, size - offset);
            if (n is -Errno.EXDEV or -Errno.EINVAL or -Errno.EOPNOTSUPP or -Errno.ENOSYS)
            {
                CopyByReading(input, output, offset, printable);
                return;
            }

            // 0 before the expected size: the source shrank meanwhile; the copy is what there was.
            if (ErrnoException.ThrowIfError(n, "copyup (copy_file_range)", printable) == 0)
            {
                return;
            }

            offset += n;
        }
    }

    private static void CopyByReading(FileDescriptor input, FileDescriptor output, long offset, string printable)
    {
        var buffer = new byte[1 << 20];
        while (true)
        {
            var n = (int)ErrnoException.ThrowIfError(Syscalls.Pread(input, buffer, offset), "copyup (read)", printable);
            if (n == 0)
            {
                return;
            }

            for (var written = 0; written < n;)
            {
                written += (int)ErrnoException.ThrowIfError(Syscalls.Pwrite(output, buffer.AsSpan(written, n - written), offset + written), "copyup (write)", printable);
            }

            offset += n;
        }
    }

    /// <summary>
    /// Directories, symlinks and FIFOs: made under a scratch name (<see cref="ScratchName"/>),
    /// given the source's metadata, then renamed to their name (never replacing anything): the name
    /// shows nothing or the whole copy. A crash leaves at most a scratch name, which views hide.
    /// </summary>
    private static FileDescriptor MakeAndDescribe(Node source, Node dir, byte[] name, FileStatus stat, string? skipPrefix, string printable)
    {
        var permissions = stat.Mode & 0xFFF;
        var scratch = Encoding.UTF8.GetBytes(ScratchName.New());
        var made = stat.Type switch
        {
            FileStatus.Directory => Syscalls.MkdirAt(dir.Fd, scratch, permissions),
            FileStatus.Fifo => Syscalls.MknodAt(dir.Fd, scratch, FileStatus.Fifo | permissions, 0),
            _ => MakeSymlinkCopy(source, dir, scratch, printable),
        };
        ErrnoException.ThrowIfError(made, "copyup", printable);
        var fd = Syscalls.OpenAt(dir.Fd, scratch, Syscalls.O_PATH | Syscalls.O_NOFOLLOW, 0, out var error);
        try
        {
            if (fd is null)
            {
                throw new ErrnoException(error, "copyup", printable);
            }

            CopyMetadata(source, fd, stat, skipPrefix, printable);
            ErrnoException.ThrowIfError(Syscalls.RenameAt2(dir.Fd, scratch, dir.Fd, name, Syscalls.RENAME_NOREPLACE), "copyup (rename)", printable);
            return fd;
        }
        catch
        {
            fd?.Dispose();
            Syscalls.UnlinkAt(dir.Fd, scratch, stat.IsDirectory ? Syscalls.AT_REMOVEDIR : 0);
            throw;
        }
    }

    private static int MakeSymlinkCopy(Node source, Node dir, byte[] name, string printable)
    {
        var target = new byte[MaxSymlinkTarget + 1];
        var length = (int)ErrnoException.ThrowIfError(Syscalls.ReadLink(source.Fd, target), "copyup (readlink)", printable);
        return Syscalls.SymlinkAt(target.AsSpan(0, length), dir.Fd, name);
    }

    /// <summary>
    /// Owner first (chown clears setuid/setgid), then mode, then xattrs, then times (every earlier
    /// step would touch ctime/mtime). The target mount's own overlay xattrs are never copied: they
    /// are markers of a layer, not properties of the file.
    /// </summary>
    private static void CopyMetadata(Node source, FileDescriptor target, FileStatus stat, string? skipPrefix, string printable)
    {
        ErrnoException.ThrowIfError(Syscalls.Chown(target, stat.Uid, stat.Gid), "copyup (chown)", printable);
        if (stat.Type != FileStatus.Symlink)
        {
            ErrnoException.ThrowIfError(Syscalls.Chmod(target, stat.Mode & 0xFFF), "copyup (chmod)", printable);
        }

        CopyXattrs(source.Fd, target, skipPrefix, printable);
        ErrnoException.ThrowIfError(
            Syscalls.SetTimes(target, (stat.AccessSeconds, stat.AccessNanoseconds), (stat.ModifySeconds, stat.ModifyNanoseconds)),
            "copyup (utimes)",
            printable);
    }

    private static void CopyXattrs(FileDescriptor source, FileDescriptor target, string? skipPrefix, string printable)
    {
        var names = new byte[XattrPolicy.MaxValueSize];
        var value = new byte[XattrPolicy.MaxValueSize];
        var length = Xattrs.List(source, names);
        if (length == -Errno.EOPNOTSUPP)
        {
            return;
        }

        ErrnoException.ThrowIfError(length, "copyup (listxattr)", printable);
        foreach (var range in names.AsSpan(0, (int)length).Split((byte)0))
        {
            var name = names.AsSpan(0, (int)length)[range];
            if (name.IsEmpty)
            {
                continue;
            }

            var xattr = Encoding.UTF8.GetString(name);
            // The overlay's markers stay behind; a file's own xattrs under the prefix are stored
            // escaped (prefix + "overlay.") and travel with the file like any other.
            if (skipPrefix is not null && xattr.StartsWith(skipPrefix, StringComparison.Ordinal) && !xattr.StartsWith(skipPrefix + "overlay.", StringComparison.Ordinal))
            {
                continue;
            }

            var size = (int)ErrnoException.ThrowIfError(Xattrs.Get(source, name, value), "copyup (getxattr)", xattr);
            ErrnoException.ThrowIfError(Xattrs.Set(target, name, value.AsSpan(0, size), 0), "copyup (setxattr)", xattr);
        }
    }
}
