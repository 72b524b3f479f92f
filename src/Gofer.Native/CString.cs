namespace Gofer.Native;

/// <summary>
/// A name or path as the kernel reads it: the caller's bytes followed by a NUL, in scratch space
/// on the stack when they fit (every single component does), on the heap otherwise.
/// </summary>
/// <remarks>
/// A NUL inside the bytes would end the C string early and make the call act on a different,
/// shorter name than the one checked, so such a name is refused (<see cref="IsValid"/> false; the
/// calls answer EINVAL, the errno every caller already gives for it).
/// </remarks>
internal readonly ref struct CString
{
    /// <summary>Scratch space callers stackalloc: NAME_MAX and its NUL.</summary>
    public const int StackSize = 256;

    private readonly Span<byte> terminated;

    public CString(ReadOnlySpan<byte> bytes, Span<byte> scratch)
    {
        IsValid = bytes.IndexOf((byte)0) < 0;
        terminated = bytes.Length < scratch.Length ? scratch[..(bytes.Length + 1)] : new byte[bytes.Length + 1];
        bytes.CopyTo(terminated);
        terminated[^1] = 0;
    }

    /// <summary>False when the bytes hold a NUL.</summary>
    public bool IsValid { get; }

    /// <summary>For <c>fixed</c>: the first byte of the NUL-terminated copy.</summary>
    public ref byte GetPinnableReference() => ref terminated[0];
}
