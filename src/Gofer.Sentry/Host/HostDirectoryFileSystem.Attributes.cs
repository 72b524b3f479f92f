using Gofer.Native;
using Gofer.Sentry.FileSystem;
using FileAttributes = Gofer.Sentry.FileSystem.FileAttributes;

namespace Gofer.Sentry.Host;

/// <summary>Attributes and xattrs: calls on the file itself, reached through a descriptor.</summary>
public sealed partial class HostDirectoryFileSystem
{
    /// <summary>XATTR_SIZE_MAX and XATTR_LIST_MAX: no value and no list of names is longer.</summary>
    private const int XattrMax = 64 * 1024;

    /// <summary>PATH_MAX: symlink(2) refuses longer targets.</summary>
    private const int PathMax = 4096;

    public FileAttributes Lstat(string path)
    {
        using var fd = ResolveNoFollow(path, "lstat");
        return Attributes(fd, "lstat", path);
    }

    public FileAttributes Stat(string path)
    {
        using var fd = ResolveFollowing(path, "stat");
        return Attributes(fd, "stat", path);
    }

    public void Chmod(string path, uint mode)
    {
        // fchmod refuses O_PATH descriptors; chmod of the magic link reaches the file.
        using var fd = ResolveFollowing(path, "chmod");
        ErrnoException.ThrowIfError(Syscalls.Chmod(fd, mode), "chmod", path);
    }

    public void Chown(string path, uint uid, uint gid)
    {
        using var fd = ResolveNoFollow(path, "chown");
        ErrnoException.ThrowIfError(Syscalls.Chown(fd, uid, gid), "chown", path);
    }

    public void Utimes(string path, long accessTimeNs, long modifyTimeNs)
    {
        using var fd = ResolveNoFollow(path, "utimes");
        ErrnoException.ThrowIfError(Syscalls.SetTimes(fd, Timespec(accessTimeNs), Timespec(modifyTimeNs)), "utimes", path);
    }

    public string Readlink(string path)
    {
        using var fd = ResolveNoFollow(path, "readlink");

        // readlinkat of an empty name answers ENOENT for a file that is not a symlink, where
        // readlink(2) of its path answers EINVAL.
        if (Attributes(fd, "readlink", path).Kind != FileKind.Symlink)
        {
            throw new ErrnoException(Errno.EINVAL, "readlink", path);
        }

        var buffer = new byte[PathMax];
        var n = ErrnoException.ThrowIfError(Syscalls.ReadLink(fd, buffer), "readlink", path);
        return Decode(buffer.AsSpan(0, (int)n));
    }

    public void SetXattr(string path, string name, byte[] value, XattrMode mode)
    {
        ArgumentNullException.ThrowIfNull(value);
        var flags = mode switch
        {
            XattrMode.Create => Syscalls.XATTR_CREATE,
            XattrMode.Replace => Syscalls.XATTR_REPLACE,
            _ => 0,
        };
        using var fd = ResolveNoFollow(path, "setxattr");
        ErrnoException.ThrowIfError(Xattrs.Set(fd, Bytes(name, "setxattr"), value, flags), "setxattr", path);
    }

    public byte[] GetXattr(string path, string name)
    {
        using var fd = ResolveNoFollow(path, "getxattr");
        var buffer = new byte[XattrMax];
        var length = ErrnoException.ThrowIfError(Xattrs.Get(fd, Bytes(name, "getxattr"), buffer), "getxattr", path);
        return buffer[..(int)length];
    }

    public IReadOnlyList<string> ListXattr(string path)
    {
        using var fd = ResolveNoFollow(path, "listxattr");
        var buffer = new byte[XattrMax];
        var length = ErrnoException.ThrowIfError(Xattrs.List(fd, buffer), "listxattr", path);

        var names = new List<string>();
        var list = buffer.AsSpan(0, (int)length);
        foreach (var range in list.Split((byte)0))
        {
            if (!list[range].IsEmpty)
            {
                names.Add(Decode(list[range]));
            }
        }

        return names;
    }

    public void RemoveXattr(string path, string name)
    {
        using var fd = ResolveNoFollow(path, "removexattr");
        ErrnoException.ThrowIfError(Xattrs.Remove(fd, Bytes(name, "removexattr")), "removexattr", path);
    }

    /// <summary>Nanoseconds since the epoch as a timespec; times before 1970 keep tv_nsec in [0, 1e9) as the kernel requires.</summary>
    private static (long Sec, long Nsec) Timespec(long ns)
    {
        const long perSecond = 1_000_000_000;
        var (sec, nsec) = (ns / perSecond, ns % perSecond);
        return nsec < 0 ? (sec - 1, nsec + perSecond) : (sec, nsec);
    }
}
