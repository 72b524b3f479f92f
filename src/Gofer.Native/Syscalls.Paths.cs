namespace Gofer.Native;

/// <summary>
/// Calls on whole path strings, for the command line's own files (its runtime directory, its
/// bundles) — never for a client's names, which are resolved one component at a time.
/// </summary>
public static unsafe partial class Syscalls
{
    public const int X_OK = 1;
    public const int W_OK = 2;

    /// <summary>statx(2) of a path; with <paramref name="followSymlink"/> false, a symlink is reported as itself.</summary>
    public static int StatPath(string path, bool followSymlink, out FileStatus status)
    {
        fixed (byte* p = Encode(path))
        {
            return Stat(AT_FDCWD, p, followSymlink ? 0 : AT_SYMLINK_NOFOLLOW, out status);
        }
    }

    /// <summary>mkdir(2) with exactly <paramref name="mode"/> asked (the umask still applies).</summary>
    public static int Mkdir(string path, uint mode)
    {
        fixed (byte* p = Encode(path))
        {
            return MkdirAt(AT_FDCWD, p, mode);
        }
    }

    /// <summary>access(2), checked with the real ids: 0 or a negated errno.</summary>
    public static int Access(string path, int mode)
    {
        fixed (byte* p = Encode(path))
        {
            return Result(LibcImports.access(p, mode));
        }
    }
}

/// <summary>Opening a whole path the gofer itself chose (a layer root, /dev/fuse), for safe callers.</summary>
public static unsafe partial class Syscalls
{
    /// <summary>openat(AT_FDCWD, <paramref name="path"/>) with O_CLOEXEC added; null and the errno on failure (EINVAL for a NUL in the path).</summary>
    public static FileDescriptor? OpenPath(string path, int flags, uint mode, out int error)
    {
        ArgumentNullException.ThrowIfNull(path);
        var p = Encode(path)!;
        if (Array.IndexOf(p, (byte)0) != p.Length - 1)
        {
            error = Errno.EINVAL;
            return null;
        }

        fixed (byte* b = p)
        {
            return OpenAt(AT_FDCWD, b, flags, mode, out error);
        }
    }
}
