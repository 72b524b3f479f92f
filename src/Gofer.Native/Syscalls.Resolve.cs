using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Gofer.Native;

/// <summary>Path resolution scoped to a directory (openat2), and the path calls that go with it.</summary>
public static unsafe partial class Syscalls
{
    /// <summary>Refuse magic links (/proc/self/fd/N and the like) anywhere in the path.</summary>
    public const ulong RESOLVE_NO_MAGICLINKS = 0x02;

    /// <summary>Resolve as if the directory were the root: <c>..</c> stops there and absolute symlinks start there.</summary>
    public const ulong RESOLVE_IN_ROOT = 0x10;

    /// <summary>openat2(2). Returns the new descriptor (O_CLOEXEC) or a negated errno.</summary>
    /// <remarks>
    /// Unlike open(2), openat2 refuses mode bits outside 07777 and a mode without O_CREAT/O_TMPFILE;
    /// callers that mirror open(2) pass <c>mode &amp; 07777</c>, which is what open(2) keeps.
    /// </remarks>
    internal static int OpenAt2(int dirFd, byte* path, int flags, uint mode, ulong resolve)
    {
        var how = new open_how { flags = (ulong)(flags | O_CLOEXEC), mode = mode, resolve = resolve };
        return Result(openat2(dirFd, path, &how, (size_t)(ulong)sizeof(open_how)));
    }

    /// <summary>truncate(2): follows symlinks; EISDIR on a directory, EINVAL on anything else that is not a regular file.</summary>
    internal static int Truncate(byte* path, long length) => Result(truncate(path, (off_t)length));
}
