using System.Text;
using Gofer.Native;

namespace Gofer.Fuse.Tests;

/// <summary>The system calls the tests make through the mount, with their errno.</summary>
internal static class Sys
{
    public static FileDescriptor Open(string path, int flags, uint mode = 0)
    {
        var fd = TryOpen(path, flags, mode, out var errno);
        return fd ?? throw new ErrnoException(errno, "open", path);
    }

    public static FileDescriptor? TryOpen(string path, int flags, uint mode, out int errno) =>
        Syscalls.OpenPath(path, flags, mode, out errno);

    /// <summary>The errno of an open that must fail.</summary>
    public static int OpenError(string path, int flags, uint mode = 0)
    {
        using var fd = TryOpen(path, flags, mode, out var errno);
        Assert.Null(fd);
        return errno;
    }

    public static FileStatus Lstat(string path)
    {
        ErrnoException.ThrowIfError(Syscalls.StatPath(path, followSymlink: false, out var status), "lstat", path);
        return status;
    }

    public static int LstatError(string path) => -Syscalls.StatPath(path, followSymlink: false, out _);

    public static FileStatus Fstat(FileDescriptor fd)
    {
        ErrnoException.ThrowIfError(Syscalls.Stat(fd, out var status), "fstat");
        return status;
    }

    public static long Pwrite(FileDescriptor fd, ReadOnlySpan<byte> data, long offset) =>
        ErrnoException.ThrowIfError(Syscalls.Pwrite(fd, data, offset), "pwrite");

    public static long Write(FileDescriptor fd, ReadOnlySpan<byte> data) =>
        ErrnoException.ThrowIfError(Syscalls.Write(fd, data), "write");

    public static byte[] Pread(FileDescriptor fd, int count, long offset)
    {
        var buffer = new byte[count];
        var n = ErrnoException.ThrowIfError(Syscalls.Pread(fd, buffer, offset), "pread");
        return buffer[..(int)n];
    }

    public static int Rename2(string from, string to, uint flags) =>
        -Syscalls.RenameAt2(FileDescriptor.CurrentDirectory, Encoding.UTF8.GetBytes(from), FileDescriptor.CurrentDirectory, Encoding.UTF8.GetBytes(to), flags);

    public static int SetXattr(string path, string name, byte[] value, int flags) =>
        -Xattrs.Set(path, Encoding.UTF8.GetBytes(name), value, flags);

    /// <summary>getxattr(2) with a buffer of <paramref name="size"/> bytes: the result (size or negated errno) and the bytes.</summary>
    public static (long Result, byte[] Value) GetXattr(string path, string name, int size)
    {
        var buffer = new byte[size];
        var r = Xattrs.Get(path, Encoding.UTF8.GetBytes(name), buffer);
        return (r, r > 0 && size > 0 ? buffer[..(int)r] : []);
    }

    public static (long Result, byte[] List) ListXattr(string path, int size)
    {
        var buffer = new byte[size];
        var r = Xattrs.List(path, buffer);
        return (r, r > 0 && size > 0 ? buffer[..(int)r] : []);
    }

    public static int RemoveXattr(string path, string name) => -Xattrs.Remove(path, Encoding.UTF8.GetBytes(name));

    /// <summary>utimensat of a path, following a final symlink: the file is looked up once, then its times are set.</summary>
    public static void Utimens(string path, (long Sec, long Nsec)? atime, (long Sec, long Nsec)? mtime)
    {
        using var fd = Open(path, Syscalls.O_PATH);
        ErrnoException.ThrowIfError(Syscalls.SetTimes(fd, atime, mtime), "utimensat", path);
    }

    public static FilesystemStatus Statfs(string path)
    {
        using var fd = Open(path, Syscalls.O_RDONLY | Syscalls.O_DIRECTORY);
        ErrnoException.ThrowIfError(Syscalls.Fstatfs(fd, out var status), "fstatfs", path);
        return status;
    }
}
