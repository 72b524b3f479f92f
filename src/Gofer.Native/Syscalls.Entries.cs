namespace Gofer.Native;

/// <summary>
/// Opening a path the gofer itself chose (its socket's directory, start files) — never a
/// client's names, which are checked bytes relative to a handle.
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
}
