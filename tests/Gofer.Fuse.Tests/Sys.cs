using System.Runtime.InteropServices;
using Gofer.Native;

namespace Gofer.Fuse.Tests;

/// <summary>The system calls the tests make through the mount, with their errno.</summary>
internal static unsafe class Sys
{
    public static FileDescriptor Open(string path, int flags, uint mode = 0)
    {
        var fd = TryOpen(path, flags, mode, out var errno);
        return fd ?? throw new ErrnoException(errno, "open", path);
    }

    public static FileDescriptor? TryOpen(string path, int flags, uint mode, out int errno)
    {
        fixed (byte* p = Syscalls.Encode(path))
        {
            return Syscalls.OpenAt(Syscalls.AT_FDCWD, p, flags, mode, out errno);
        }
    }

    /// <summary>The errno of an open that must fail.</summary>
    public static int OpenError(string path, int flags, uint mode = 0)
    {
        using var fd = TryOpen(path, flags, mode, out var errno);
        Assert.Null(fd);
        return errno;
    }

    public static FileStatus Lstat(string path)
    {
        fixed (byte* p = Syscalls.Encode(path))
        {
            ErrnoException.ThrowIfError(Syscalls.Stat(Syscalls.AT_FDCWD, p, Syscalls.AT_SYMLINK_NOFOLLOW, out var status), "lstat", path);
            return status;
        }
    }

    public static int LstatError(string path)
    {
        fixed (byte* p = Syscalls.Encode(path))
        {
            return -Syscalls.Stat(Syscalls.AT_FDCWD, p, Syscalls.AT_SYMLINK_NOFOLLOW, out _);
        }
    }

    public static FileStatus Fstat(FileDescriptor fd)
    {
        ErrnoException.ThrowIfError(Syscalls.Stat(fd, out var status), "fstat");
        return status;
    }

    public static long Pwrite(FileDescriptor fd, ReadOnlySpan<byte> data, long offset)
    {
        fixed (byte* d = data)
        {
            return ErrnoException.ThrowIfError(Syscalls.Pwrite(fd.Fd, d, data.Length, offset), "pwrite");
        }
    }

    public static long Write(FileDescriptor fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* d = data)
        {
            return ErrnoException.ThrowIfError(Syscalls.Write(fd.Fd, d, data.Length), "write");
        }
    }

    public static byte[] Pread(FileDescriptor fd, int count, long offset)
    {
        var buffer = new byte[count];
        fixed (byte* b = buffer)
        {
            var n = ErrnoException.ThrowIfError(Syscalls.Pread(fd.Fd, b, count, offset), "pread");
            return buffer[..(int)n];
        }
    }

    public static int Rename2(string from, string to, uint flags)
    {
        fixed (byte* f = Syscalls.Encode(from), t = Syscalls.Encode(to))
        {
            return -Syscalls.RenameAt2(Syscalls.AT_FDCWD, f, Syscalls.AT_FDCWD, t, flags);
        }
    }

    public static int SetXattr(string path, string name, byte[] value, int flags)
    {
        fixed (byte* p = Syscalls.Encode(path), n = Syscalls.Encode(name), v = value)
        {
            return -Syscalls.SetXattr(p, n, v, value.Length, flags);
        }
    }

    /// <summary>getxattr(2) with a buffer of <paramref name="size"/> bytes: the result (size or negated errno) and the bytes.</summary>
    public static (long Result, byte[] Value) GetXattr(string path, string name, int size)
    {
        var buffer = new byte[Math.Max(size, 1)];
        fixed (byte* p = Syscalls.Encode(path), n = Syscalls.Encode(name), v = buffer)
        {
            var r = Syscalls.GetXattr(p, n, size == 0 ? null : v, size);
            return (r, r > 0 && size > 0 ? buffer[..(int)r] : []);
        }
    }

    public static (long Result, byte[] List) ListXattr(string path, int size)
    {
        var buffer = new byte[Math.Max(size, 1)];
        fixed (byte* p = Syscalls.Encode(path), v = buffer)
        {
            var r = Syscalls.ListXattr(p, size == 0 ? null : v, size);
            return (r, r > 0 && size > 0 ? buffer[..(int)r] : []);
        }
    }

    public static int RemoveXattr(string path, string name)
    {
        fixed (byte* p = Syscalls.Encode(path), n = Syscalls.Encode(name))
        {
            return -Syscalls.RemoveXattr(p, n);
        }
    }

    public static void Utimens(string path, (long Sec, long Nsec)? atime, (long Sec, long Nsec)? mtime)
    {
        fixed (byte* p = Syscalls.Encode(path))
        {
            ErrnoException.ThrowIfError(Syscalls.UtimensAt(Syscalls.AT_FDCWD, p, atime, mtime, 0), "utimensat", path);
        }
    }

    public static FilesystemStatus Statfs(string path)
    {
        using var fd = Open(path, Syscalls.O_RDONLY | Syscalls.O_DIRECTORY);
        ErrnoException.ThrowIfError(Syscalls.Fstatfs(fd.Fd, out var status), "fstatfs", path);
        return status;
    }

    public static int Errno() => Marshal.GetLastPInvokeError();
}
