using System.Text;
using Gofer.Native;
using Gofer.Server.Service;

namespace Gofer.Server.Tests.Service;

/// <summary>
/// The real filesystem, reached without the gofer: how tests prepare layers and check what a call
/// did. Paths may be text or raw bytes (Linux names need not be UTF-8).
/// </summary>
public static class OnDisk
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
        ErrnoException.ThrowIfError(
            Syscalls.MknodAt(FileDescriptor.CurrentDirectory, path, mode, FileStatus.MakeDevice(major, minor)), "mknod", Encoding.UTF8.GetString(path));
    }

    /// <summary>chmod of the file a path names (following a symlink).</summary>
    public static void Chmod(string path, uint mode)
    {
        using var fd = Syscalls.OpenPath(path, Syscalls.O_PATH, 0, out var error) ?? throw new ErrnoException(error, "open", path);
        ErrnoException.ThrowIfError(Syscalls.Chmod(fd, mode), "chmod", path);
    }

    /// <summary>An xattr's value (following a symlink), or null when it is not set.</summary>
    public static byte[]? GetXattr(string path, string name)
    {
        var value = new byte[XattrPolicy.MaxValueSize];
        var size = Xattrs.Get(path, Encoding.UTF8.GetBytes(name), value);
        return size == -Errno.ENODATA ? null : value[..(int)ErrnoException.ThrowIfError(size, "getxattr", name)];
    }

    public static void SetXattr(string path, string name, byte[] value)
    {
        ErrnoException.ThrowIfError(Xattrs.Set(path, Encoding.UTF8.GetBytes(name), value, 0), "setxattr", name);
    }

    public static FilesystemStatus StatFs(string path)
    {
        using var fd = Syscalls.OpenPath(path, Syscalls.O_PATH, 0, out var error) ?? throw new ErrnoException(error, "open", path);
        ErrnoException.ThrowIfError(Syscalls.Fstatfs(fd, out var status), "statfs", path);
        return status;
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

    private static int TryLstat(byte[] path, out FileStatus status) =>
        Syscalls.Stat(FileDescriptor.CurrentDirectory, path, Syscalls.AT_SYMLINK_NOFOLLOW, out status);
}
