using System.Globalization;

namespace Gofer.Native;

/// <summary>
/// <c>/proc/self/fd/N</c>, NUL-terminated: the path that names a descriptor's own file for the
/// calls that take only a path (xattrs of an O_PATH descriptor, reopening, chmod, linking). The
/// kernel follows this magic link to the file itself — a symlink included — without resolving any
/// name again, so nothing can be swapped in between. In a staged gofer the process's own fd table
/// is bind-mounted at the same path.
/// </summary>
internal readonly ref struct MagicLink
{
    /// <summary>"/proc/self/fd/" and the digits of an int, and the NUL.</summary>
    public const int Size = 32;

    private readonly Span<byte> path;

    public MagicLink(int fd, Span<byte> scratch)
    {
        "/proc/self/fd/"u8.CopyTo(scratch);
        fd.TryFormat(scratch[14..], out var digits, provider: CultureInfo.InvariantCulture);
        scratch[14 + digits] = 0;
        path = scratch[..(15 + digits)];
    }

    /// <summary>For <c>fixed</c>: the first byte of the path.</summary>
    public ref byte GetPinnableReference() => ref path[0];
}
