using System.Text;
using Gofer.Native;
using Gofer.Server.Service;

namespace Gofer.Server.Tests.Service;

/// <summary>
/// The real filesystem, reached without the gofer: how tests prepare layers and check what a call
/// did. Paths may be text or raw bytes (Linux names need not be UTF-8).
/// </summary>
public static unsafe class OnDisk
{
    /// <summary>lstat of a path that must exist.</summary>
    public static FileStatus Lstat(string path) => Lstat(Encoding.UTF8.GetBytes(path));

    /// <inheritdoc cref="Lstat(string)"/>
    public static FileStatus Lstat(byte[] path)
    {
        var result = TryLstat(path, out var status);
        Assert.True(result == 0, $"lstat {Encoding.UTF8.GetString(path)}: {Errno.Describe(-result)}");
        return status;
    }

    public static bool Exists(string path) => Exists(Encoding.UTF8.GetBytes(path));

    public static bool Exists(byte[] path) => TryLstat(path, out _) == 0;

    /// <summary>mknod(2), for devices, sockets, FIFOs and whiteouts the gofer itself refuses or must not be trusted to make.</summary>
    public static void Mknod(string path, uint mode, uint major = 0, uint minor = 0) =>
        Mknod(Encoding.UTF8.GetBytes(path), mode, major, minor);

    /// <inheritdoc cref="Mknod(string, uint, uint, uint)"/>
    public static void Mknod(byte[] path, uint mode, uint major = 0, uint minor = 0)
    {
        fixed (byte* p = Terminated(path))
        {
            ErrnoException.ThrowIfError(Syscalls.MknodAt(Syscalls.AT_FDCWD, p, mode, FileStatus.MakeDevice(major, minor)), "mknod", Encoding.UTF8.GetString(path));
        }
    }

    public static void Chmod(string path, uint mode)
    {
        fixed (byte* p = Syscalls.Encode(path))
        {
            ErrnoException.ThrowIfError(Syscalls.FchmodAt(Syscalls.AT_FDCWD, p, mode, 0), "chmod", path);
        }
    }

    /// <summary>An xattr's value (following a symlink), or null when it is not set.</summary>
    public static byte[]? GetXattr(string path, string name)
    {
        var value = new byte[XattrPolicy.MaxValueSize];
        fixed (byte* p = Syscalls.Encode(path))
        fixed (byte* n = Syscalls.Encode(name))
        fixed (byte* v = value)
        {
            var size = Syscalls.GetXattr(p, n, v, value.Length);
            return size == -Errno.ENODATA ? null : value[..(int)ErrnoException.ThrowIfError(size, "getxattr", name)];
        }
    }

    public static void SetXattr(string path, string name, byte[] value)
    {
        fixed (byte* p = Syscalls.Encode(path))
        fixed (byte* n = Syscalls.Encode(name))
        fixed (byte* v = value)
        {
            ErrnoException.ThrowIfError(Syscalls.SetXattr(p, n, v, value.Length, 0), "setxattr", name);
        }
    }

    public static FilesystemStatus StatFs(string path)
    {
        fixed (byte* p = Syscalls.Encode(path))
        {
            using var fd = Syscalls.OpenAt(Syscalls.AT_FDCWD, p, Syscalls.O_PATH, 0, out var error)
                ?? throw new ErrnoException(error, "open", path);
            ErrnoException.ThrowIfError(Syscalls.Fstatfs(fd.Fd, out var status), "statfs", path);
            return status;
        }
    }

    /// <summary>
    /// How many descriptors of this process are open on files below <paramref name="directory"/>.
    /// The gofer runs in-process, so this counts the descriptors behind a test's handles; each test
    /// has its own directory, so tests running alongside do not disturb the count.
    /// </summary>
    public static int DescriptorsBelow(string directory)
    {
        var prefix = directory + "/";
        var count = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith(prefix, StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (FileNotFoundException)
            {
                // Closed between listing and reading its link: not open any more.
            }
        }

        return count;
    }

    private static int TryLstat(byte[] path, out FileStatus status)
    {
        fixed (byte* p = Terminated(path))
        {
            return Syscalls.Stat(Syscalls.AT_FDCWD, p, Syscalls.AT_SYMLINK_NOFOLLOW, out status);
        }
    }

    private static byte[] Terminated(byte[] path) => [.. path, 0];
}
