namespace Gofer.Native;

/// <summary>
/// Calls on one entry of a directory held open, by its name as a string, for the gofer's own
/// files (its socket) — never for a client's names, which are checked bytes.
/// </summary>
public static unsafe partial class Syscalls
{
    /// <summary>Opens a path the gofer chose (O_CLOEXEC added), or throws naming <paramref name="operation"/>.</summary>
    public static FileDescriptor OpenPath(string path, int flags, string operation)
    {
        fixed (byte* p = Encode(path))
        {
            return OpenAt(AT_FDCWD, p, flags, 0, out var error) ?? throw new ErrnoException(error, operation, path);
        }
    }

    /// <summary>statx(2) of <paramref name="name"/> in <paramref name="dir"/>, never following a symlink.</summary>
    public static int StatEntry(FileDescriptor dir, string name, out FileStatus status)
    {
        fixed (byte* n = Encode(name))
        {
            return Stat(dir.Fd, n, AT_SYMLINK_NOFOLLOW, out status);
        }
    }

    /// <summary>unlinkat(2) of <paramref name="name"/> (not a directory) in <paramref name="dir"/>.</summary>
    public static int UnlinkEntry(FileDescriptor dir, string name)
    {
        fixed (byte* n = Encode(name))
        {
            return UnlinkAt(dir.Fd, n, 0);
        }
    }
}
