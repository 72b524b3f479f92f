using System.Runtime.InteropServices;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Gofer.Native;

/// <summary>
/// The system calls the gofer makes, as thin wrappers that return a negated errno instead of
/// throwing (a missing name is an everyday answer for a lookup, not an exception). Names are
/// NUL-terminated byte spans: Linux names are bytes, and the callers check them first.
/// Calls Tmds.LibC lacks are declared in <see cref="LibcImports"/>.
/// </summary>
public static unsafe partial class Syscalls
{
    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_ACCMODE = 3;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_NOCTTY = 0x100;
    public const int O_TRUNC = 0x200;
    public const int O_APPEND = 0x400;
    public const int O_NONBLOCK = 0x800;
    public const int O_DSYNC = 0x1000;
    public const int O_DIRECT = 0x4000;
    public const int O_DIRECTORY = 0x10000;
    public const int O_NOFOLLOW = 0x20000;
    public const int O_NOATIME = 0x40000;
    public const int O_CLOEXEC = 0x80000;
    public const int O_SYNC = 0x101000;
    public const int O_PATH = 0x200000;
    public const int O_TMPFILE = 0x410000;

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_REMOVEDIR = 0x200;
    public const int AT_SYMLINK_FOLLOW = 0x400;
    public const int AT_EMPTY_PATH = 0x1000;

    public const uint RENAME_NOREPLACE = 1;
    public const uint RENAME_EXCHANGE = 2;
    public const uint RENAME_WHITEOUT = 4;

    public const int XATTR_CREATE = 1;
    public const int XATTR_REPLACE = 2;

    private static int Result(int r) => r < 0 ? -Marshal.GetLastPInvokeError() : r;

    private static long Result(long r) => r < 0 ? -Marshal.GetLastPInvokeError() : r;

    /// <summary>openat(2). Returns the new descriptor or a negated errno.</summary>
    internal static int OpenAt(int dirFd, byte* name, int flags, uint mode) =>
        Result(openat(dirFd, name, flags | O_CLOEXEC, (mode_t)mode));

    /// <summary>openat(2) into an owned descriptor, or a negated errno in <paramref name="error"/>.</summary>
    public static FileDescriptor? OpenAt(int dirFd, byte* name, int flags, uint mode, out int error)
    {
        var fd = OpenAt(dirFd, name, flags, mode);
        error = fd < 0 ? -fd : 0;
        return fd < 0 ? null : new FileDescriptor(fd);
    }

    /// <summary>statx(2) of <paramref name="name"/> relative to <paramref name="dirFd"/> (empty name: the descriptor itself).</summary>
    public static int Stat(int dirFd, byte* name, int flags, out FileStatus status)
    {
        statx buf;
        const uint basicStats = 0x7ff;
        var r = Result(statx(dirFd, name, flags, basicStats, &buf));
        status = r < 0 ? default : new FileStatus(
            FileStatus.MakeDevice(buf.stx_dev_major, buf.stx_dev_minor),
            buf.stx_ino,
            buf.stx_mode,
            buf.stx_nlink,
            buf.stx_uid,
            buf.stx_gid,
            FileStatus.MakeDevice(buf.stx_rdev_major, buf.stx_rdev_minor),
            (long)buf.stx_size,
            (long)buf.stx_blocks,
            buf.stx_blksize,
            buf.stx_atime.tv_sec,
            buf.stx_atime.tv_nsec,
            buf.stx_mtime.tv_sec,
            buf.stx_mtime.tv_nsec,
            buf.stx_ctime.tv_sec,
            buf.stx_ctime.tv_nsec);
        return r;
    }

    /// <summary>fstat of a descriptor (any kind, O_PATH included), never following a symlink.</summary>
    public static int Stat(FileDescriptor fd, out FileStatus status)
    {
        byte empty = 0;
        return Stat(fd.Fd, &empty, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, out status);
    }

    internal static int MkdirAt(int dirFd, byte* name, uint mode) => Result(mkdirat(dirFd, name, (mode_t)mode));

    public static int MknodAt(int dirFd, byte* name, uint mode, ulong device) =>
        Result(LibcImports.mknodat(dirFd, name, mode, device));

    internal static int SymlinkAt(byte* target, int dirFd, byte* name) => Result(symlinkat(target, dirFd, name));

    internal static int LinkAt(int oldDirFd, byte* oldName, int newDirFd, byte* newName, int flags) =>
        Result(linkat(oldDirFd, oldName, newDirFd, newName, flags));

    internal static long ReadlinkAt(int dirFd, byte* name, byte* buffer, int size) =>
        Result((long)readlinkat(dirFd, name, buffer, (size_t)(ulong)size));

    public static int UnlinkAt(int dirFd, byte* name, int flags) => Result(unlinkat(dirFd, name, flags));

    internal static int RenameAt2(int oldDirFd, byte* oldName, int newDirFd, byte* newName, uint flags) =>
        Result(LibcImports.renameat2(oldDirFd, oldName, newDirFd, newName, flags));

    internal static int FchownAt(int dirFd, byte* name, uint uid, uint gid, int flags) =>
        Result(fchownat(dirFd, name, (uid_t)uid, (gid_t)gid, flags));

    /// <summary>fchmod(2). On a socket before bind(2) it sets the mode the socket file is made with.</summary>
    public static int Fchmod(int fd, uint mode) => Result(fchmod(fd, (mode_t)mode));

    internal static int FchmodAt(int dirFd, byte* name, uint mode, int flags) =>
        Result(fchmodat(dirFd, name, (mode_t)mode, flags));

    /// <summary>utimensat(2); a null time leaves that time as it is (UTIME_OMIT).</summary>
    internal static int UtimensAt(int dirFd, byte* name, (long Sec, long Nsec)? atime, (long Sec, long Nsec)? mtime, int flags)
    {
        const long utimeOmit = (1L << 30) - 2;
        var times = stackalloc timespec[2];
        times[0].tv_sec = (time_t)(atime?.Sec ?? 0);
        times[0].tv_nsec = (long_t)(atime?.Nsec ?? utimeOmit);
        times[1].tv_sec = (time_t)(mtime?.Sec ?? 0);
        times[1].tv_nsec = (long_t)(mtime?.Nsec ?? utimeOmit);
        return Result(utimensat(dirFd, name, times, flags));
    }

    internal static int Ftruncate(int fd, long length) => Result(ftruncate(fd, (off_t)length));

    internal static long Pread(int fd, byte* buffer, int count, long offset) =>
        Result((long)pread(fd, buffer, (size_t)(ulong)count, (off_t)offset));

    internal static long Pwrite(int fd, byte* buffer, int count, long offset) =>
        Result((long)pwrite(fd, buffer, (size_t)(ulong)count, (off_t)offset));

    internal static long ReadFd(int fd, byte* buffer, int count) => Result((long)read(fd, buffer, (size_t)(ulong)count));

    internal static long Write(int fd, byte* buffer, int count) => Result((long)write(fd, buffer, (size_t)(ulong)count));

    internal static int Fsync(int fd, bool dataOnly) => Result(dataOnly ? LibcImports.fdatasync(fd) : fsync(fd));

    public static int Fstatfs(int fd, out FilesystemStatus status)
    {
        FilesystemStatus buf;
        var r = Result(LibcImports.fstatfs(fd, &buf));
        status = buf;
        return r;
    }

    /// <summary>getdents64(2): fills <paramref name="buffer"/> with <c>linux_dirent64</c> records.</summary>
    internal static long Getdents64(int fd, byte* buffer, int size) => Result(LibcImports.getdents64(fd, buffer, (nuint)size));

    /// <summary>copy_file_range(2) between two descriptors at their own offsets (reflinks where the filesystem can).</summary>
    internal static long CopyFileRange(int fdIn, long offsetIn, int fdOut, long offsetOut, long length)
    {
        var inOffset = offsetIn;
        var outOffset = offsetOut;
        return Result((long)LibcImports.copy_file_range(fdIn, &inOffset, fdOut, &outOffset, (nuint)length, 0));
    }

    internal static int Fchown(int fd, uint uid, uint gid) => Result(fchown(fd, (uid_t)uid, (gid_t)gid));

    internal static long GetXattr(byte* path, byte* name, byte* value, int size) =>
        Result((long)LibcImports.getxattr(path, name, value, (nuint)size));

    public static int SetXattr(byte* path, byte* name, byte* value, int size, int flags) =>
        Result(LibcImports.setxattr(path, name, value, (nuint)size, flags));

    internal static long ListXattr(byte* path, byte* list, int size) =>
        Result((long)LibcImports.listxattr(path, list, (nuint)size));

    internal static int RemoveXattr(byte* path, byte* name) => Result(LibcImports.removexattr(path, name));
}
