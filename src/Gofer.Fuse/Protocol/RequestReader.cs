using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Gofer.Native;

namespace Gofer.Fuse.Protocol;

/// <summary>Reads a request's arguments, in order, from the bytes after its header.</summary>
internal ref struct RequestReader(ReadOnlySpan<byte> payload)
{
    /// <summary>
    /// Names must be valid UTF-8: the sentry names files by strings, and decoding leniently would
    /// turn an invalid name into a different valid one (U+FFFD), silently touching another file.
    /// </summary>
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private ReadOnlySpan<byte> rest = payload;

    /// <summary>The arguments not read yet.</summary>
    public readonly ReadOnlySpan<byte> Rest => rest;

    /// <summary>
    /// The next fixed-size struct. The kernel is trusted to send whole structs, but a short request
    /// is still refused (EINVAL) rather than read past its end.
    /// </summary>
    public T Read<T>()
        where T : unmanaged
    {
        if (rest.Length < Unsafe.SizeOf<T>())
        {
            throw new ErrnoException(Errno.EINVAL, "fuse request", $"{typeof(T).Name} truncated");
        }

        var value = MemoryMarshal.Read<T>(rest);
        rest = rest[Unsafe.SizeOf<T>()..];
        return value;
    }

    /// <summary>A struct that older kernels send shorter (INIT): what is missing reads as zero.</summary>
    public T ReadPrefix<T>()
        where T : unmanaged
    {
        T value = default;
        var have = Math.Min(rest.Length, Unsafe.SizeOf<T>());
        rest[..have].CopyTo(MemoryMarshal.AsBytes(new Span<T>(ref value)));
        rest = rest[have..];
        return value;
    }

    /// <summary>A NUL-terminated name.</summary>
    public string ReadName()
    {
        var end = rest.IndexOf((byte)0);
        if (end < 0)
        {
            throw new ErrnoException(Errno.EINVAL, "fuse request", "name without NUL");
        }

        var bytes = rest[..end];
        rest = rest[(end + 1)..];
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new ErrnoException(Errno.EINVAL, "fuse request", "name is not UTF-8");
        }
    }

    /// <summary>The next <paramref name="count"/> bytes.</summary>
    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || count > rest.Length)
        {
            throw new ErrnoException(Errno.EINVAL, "fuse request", "data truncated");
        }

        var bytes = rest[..count];
        rest = rest[count..];
        return bytes;
    }
}
