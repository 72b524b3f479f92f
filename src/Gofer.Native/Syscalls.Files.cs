namespace Gofer.Native;

/// <summary>
/// Calls on the file a descriptor refers to — an O_PATH descriptor included, and a symlink itself
/// when the descriptor is on one — for safe callers. Where the kernel takes only a path, the
/// descriptor's magic link stands for it (<see cref="MagicLink"/>), so no name is looked up again.
/// </summary>
public static unsafe partial class Syscalls
{
    /// <summary>
    /// Opens the file <paramref name="fd"/> refers to afresh, with <paramref name="flags"/> (O_CLOEXEC
    /// added), through its magic link: the same file, never another one put at its name meanwhile.
    /// Null and the errno on failure.
    /// </summary>
    public static FileDescriptor? Reopen(FileDescriptor fd, int flags, out int error)
    {
        using var d = new DescriptorUse(fd);
        error = Errno.EBADF;
        if (d.IsClosed)
        {
            return null;
        }

        var link = new MagicLink(d.Number, stackalloc byte[MagicLink.Size]);
        fixed (byte* p = link)
        {
            return OpenAt(AT_FDCWD, p, flags, 0, out error);
        }
    }

    /// <summary>chmod(2) of the file itself (fchmod refuses O_PATH descriptors; the magic link reaches the file).</summary>
    public static int Chmod(FileDescriptor fd, uint mode)
    {
        using var d = new DescriptorUse(fd);
        var link = new MagicLink(d.Number, stackalloc byte[MagicLink.Size]);
        fixed (byte* p = link)
        {
            return d.IsClosed ? -Errno.EBADF : FchmodAt(AT_FDCWD, p, mode, 0);
        }
    }

    /// <summary>truncate(2) of the file itself: EISDIR for a directory, EINVAL for anything but a regular file; never opens it.</summary>
    public static int Truncate(FileDescriptor fd, long length)
    {
        using var d = new DescriptorUse(fd);
        var link = new MagicLink(d.Number, stackalloc byte[MagicLink.Size]);
        fixed (byte* p = link)
        {
            return d.IsClosed ? -Errno.EBADF : Truncate(p, length);
        }
    }

    /// <summary>
    /// A new name <paramref name="name"/> in <paramref name="dir"/> for the file <paramref name="fd"/>
    /// refers to (a symlink stays a symlink): linkat of the magic link with AT_SYMLINK_FOLLOW, which
    /// needs none of the CAP_DAC_READ_SEARCH that AT_EMPTY_PATH would.
    /// </summary>
    public static int Link(FileDescriptor fd, FileDescriptor dir, ReadOnlySpan<byte> name)
    {
        using var d = new DescriptorUse(fd);
        using var at = new DescriptorWithName(dir, name, stackalloc byte[CString.StackSize]);
        var link = new MagicLink(d.Number, stackalloc byte[MagicLink.Size]);
        fixed (byte* source = link)
        fixed (byte* p = at)
        {
            return d.IsClosed ? -Errno.EBADF : at.Refused < 0 ? at.Refused : LinkAt(AT_FDCWD, source, at.Number, p, AT_SYMLINK_FOLLOW);
        }
    }

    /// <summary>fchownat of the descriptor itself (a symlink included); uint.MaxValue leaves an id as it is.</summary>
    public static int Chown(FileDescriptor fd, uint uid, uint gid)
    {
        using var d = new DescriptorUse(fd);
        byte empty = 0;
        return d.IsClosed ? -Errno.EBADF : FchownAt(d.Number, &empty, uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
    }

    /// <summary>utimensat of the descriptor itself (a symlink included); a null time is left as it is.</summary>
    public static int SetTimes(FileDescriptor fd, (long Sec, long Nsec)? atime, (long Sec, long Nsec)? mtime)
    {
        using var d = new DescriptorUse(fd);
        byte empty = 0;
        return d.IsClosed ? -Errno.EBADF : UtimensAt(d.Number, &empty, atime, mtime, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
    }

    /// <summary>
    /// readlinkat of the descriptor itself into <paramref name="buffer"/> (no NUL added): the length,
    /// or a negated errno (ENOENT when the file is not a symlink).
    /// </summary>
    public static long ReadLink(FileDescriptor fd, Span<byte> buffer)
    {
        using var d = new DescriptorUse(fd);
        byte empty = 0;
        fixed (byte* b = buffer)
        {
            return d.IsClosed ? -Errno.EBADF : ReadlinkAt(d.Number, &empty, b, buffer.Length);
        }
    }
}
