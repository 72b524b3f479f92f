using System.Text;
using Gofer.Native;
using Gofer.Protocol.Layers;
using Gofer.Protocol.V1;

namespace Gofer.Server.Service;

public sealed unsafe partial class FileOperations
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
        FileDescriptor copy;
        fixed (byte* n = name)
        {
            copy = stat.Type switch
            {
                FileStatus.Regular => CopyRegularFile(source, dir, n, stat, skipPrefix, printable),
                FileStatus.Directory or FileStatus.Symlink or FileStatus.Fifo => MakeAndDescribe(source, dir, n, stat, skipPrefix, printable),

                // Devices would be host devices, sockets have no content, and whiteouts are never copied up.
                _ => throw new ErrnoException(Errno.EPERM, "copyup", printable),
            };
        }

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
    private static FileDescriptor CopyRegularFile(Node source, Node dir, byte* name, FileStatus stat, string? skipPrefix, string printable)
    {
        using var input = Reopen(source.Fd, Syscalls.O_RDONLY | Syscalls.O_NOATIME, "copyup", printable);
        FileDescriptor temp;
        fixed (byte* here = "."u8)
        {
            temp = Syscalls.OpenAt(dir.Fd.Fd, here, Syscalls.O_TMPFILE | Syscalls.O_WRONLY, stat.Mode & 0xFFF, out var error)
                ?? throw new ErrnoException(error, "copyup (O_TMPFILE)", printable);
        }

        try
        {
            CopyData(input, temp, stat.Size, printable);
            CopyMetadata(source, temp, stat, skipPrefix, printable);
            fixed (byte* path = Syscalls.Encode(temp.ProcPath))
            {
                ErrnoException.ThrowIfError(Syscalls.LinkAt(Syscalls.AT_FDCWD, path, dir.Fd.Fd, name, Syscalls.AT_SYMLINK_FOLLOW), "copyup (link)", printable);
            }

            using (temp)
            {
                return Syscalls.OpenAt(dir.Fd.Fd, name, Syscalls.O_PATH | Syscalls.O_NOFOLLOW, 0, out var error)
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
            var n = Syscalls.CopyFileRange(input.Fd, offset, output.Fd, offset, size - offset);
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
        fixed (byte* b = buffer)
        {
            while (true)
            {
                var n = ErrnoException.ThrowIfError(Syscalls.Pread(input.Fd, b, buffer.Length, offset), "copyup (read)", printable);
                if (n == 0)
                {
                    return;
                }

                for (var written = 0L; written < n;)
                {
                    written += ErrnoException.ThrowIfError(Syscalls.Pwrite(output.Fd, b + written, (int)(n - written), offset + written), "copyup (write)", printable);
                }

                offset += n;
            }
        }
    }

    /// <summary>
    /// Directories, symlinks and FIFOs: made under a scratch name (<see cref="ScratchName"/>),
    /// given the source's metadata, then renamed to their name (never replacing anything): the name
    /// shows nothing or the whole copy. A crash leaves at most a scratch name, which views hide.
    /// </summary>
    private static FileDescriptor MakeAndDescribe(Node source, Node dir, byte* name, FileStatus stat, string? skipPrefix, string printable)
    {
        var permissions = stat.Mode & 0xFFF;
        fixed (byte* scratch = Syscalls.Encode(ScratchName.New()))
        {
            var made = stat.Type switch
            {
                FileStatus.Directory => Syscalls.MkdirAt(dir.Fd.Fd, scratch, permissions),
                FileStatus.Fifo => Syscalls.MknodAt(dir.Fd.Fd, scratch, FileStatus.Fifo | permissions, 0),
                _ => MakeSymlinkCopy(source, dir, scratch, printable),
            };
            ErrnoException.ThrowIfError(made, "copyup", printable);
            var fd = Syscalls.OpenAt(dir.Fd.Fd, scratch, Syscalls.O_PATH | Syscalls.O_NOFOLLOW, 0, out var error);
            try
            {
                if (fd is null)
                {
                    throw new ErrnoException(error, "copyup", printable);
                }

                CopyMetadata(source, fd, stat, skipPrefix, printable);
                ErrnoException.ThrowIfError(Syscalls.RenameAt2(dir.Fd.Fd, scratch, dir.Fd.Fd, name, Syscalls.RENAME_NOREPLACE), "copyup (rename)", printable);
                return fd;
            }
            catch
            {
                fd?.Dispose();
                Syscalls.UnlinkAt(dir.Fd.Fd, scratch, stat.IsDirectory ? Syscalls.AT_REMOVEDIR : 0);
                throw;
            }
        }
    }

    private static int MakeSymlinkCopy(Node source, Node dir, byte* name, string printable)
    {
        var target = new byte[MaxSymlinkTarget + 2];
        byte empty = 0;
        long length;
        fixed (byte* t = target)
        {
            length = ErrnoException.ThrowIfError(Syscalls.ReadlinkAt(source.Fd.Fd, &empty, t, target.Length - 1), "copyup (readlink)", printable);
            t[length] = 0;
            return Syscalls.SymlinkAt(t, dir.Fd.Fd, name);
        }
    }

    /// <summary>
    /// Owner first (chown clears setuid/setgid), then mode, then xattrs, then times (every earlier
    /// step would touch ctime/mtime). The target mount's own overlay xattrs are never copied: they
    /// are markers of a layer, not properties of the file.
    /// </summary>
    private static void CopyMetadata(Node source, FileDescriptor target, FileStatus stat, string? skipPrefix, string printable)
    {
        byte empty = 0;
        ErrnoException.ThrowIfError(Syscalls.FchownAt(target.Fd, &empty, stat.Uid, stat.Gid, Syscalls.AT_EMPTY_PATH | Syscalls.AT_SYMLINK_NOFOLLOW), "copyup (chown)", printable);
        if (stat.Type != FileStatus.Symlink)
        {
            fixed (byte* path = Syscalls.Encode(target.ProcPath))
            {
                ErrnoException.ThrowIfError(Syscalls.FchmodAt(Syscalls.AT_FDCWD, path, stat.Mode & 0xFFF, 0), "copyup (chmod)", printable);
            }
        }

        CopyXattrs(source.Fd, target, skipPrefix, printable);
        ErrnoException.ThrowIfError(
            Syscalls.UtimensAt(target.Fd, &empty, (stat.AccessSeconds, stat.AccessNanoseconds), (stat.ModifySeconds, stat.ModifyNanoseconds), Syscalls.AT_EMPTY_PATH),
            "copyup (utimes)",
            printable);
    }

    private static void CopyXattrs(FileDescriptor source, FileDescriptor target, string? skipPrefix, string printable)
    {
        var names = new byte[XattrPolicy.MaxValueSize];
        var value = new byte[XattrPolicy.MaxValueSize];
        fixed (byte* from = Syscalls.Encode(source.ProcPath))
        fixed (byte* to = Syscalls.Encode(target.ProcPath))
        fixed (byte* list = names)
        fixed (byte* v = value)
        {
            var length = Syscalls.ListXattr(from, list, names.Length);
            if (length == -Errno.EOPNOTSUPP)
            {
                return;
            }

            ErrnoException.ThrowIfError(length, "copyup (listxattr)", printable);
            for (var start = 0; start < length;)
            {
                var end = Array.IndexOf(names, (byte)0, start);
                var xattr = Encoding.UTF8.GetString(names, start, end - start);
                var name = list + start;
                start = end + 1;
                // The overlay's markers stay behind; a file's own xattrs under the prefix are stored
                // escaped (prefix + "overlay.") and travel with the file like any other.
                if (skipPrefix is not null && xattr.StartsWith(skipPrefix, StringComparison.Ordinal) && !xattr.StartsWith(skipPrefix + "overlay.", StringComparison.Ordinal))
                {
                    continue;
                }

                var size = ErrnoException.ThrowIfError(Syscalls.GetXattr(from, name, v, value.Length), "copyup (getxattr)", xattr);
                ErrnoException.ThrowIfError(Syscalls.SetXattr(to, name, v, (int)size, 0), "copyup (setxattr)", xattr);
            }
        }
    }
}
