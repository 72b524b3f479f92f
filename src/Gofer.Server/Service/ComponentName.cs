using System.Buffers;
using System.Text;
using Gofer.Native;
using Google.Protobuf;

namespace Gofer.Server.Service;

/// <summary>
/// A client-supplied name checked to be exactly one path component. This check, together with openat relative to a handle and O_NOFOLLOW, is what
/// keeps every lookup inside its layer: a name can never climb (<c>..</c>), restart from the
/// root (<c>/</c>), or smuggle a second component.
/// </summary>
public static class ComponentName
{
    /// <summary>NAME_MAX of every Linux filesystem the gofer serves.</summary>
    public const int MaxLength = 255;

    /// <summary>The name's bytes (the system calls add the NUL), or EINVAL/ENAMETOOLONG naming the operation.</summary>
    public static byte[] Check(ByteString name, string operation)
    {
        var span = name.Span;
        if (span.Length == 0)
        {
            throw new ErrnoException(Errno.EINVAL, operation, "(empty name)");
        }

        if (span.Length > MaxLength)
        {
            throw new ErrnoException(Errno.ENAMETOOLONG, operation, Printable(span));
        }

        if (span.IndexOfAny((byte)'/', (byte)0) >= 0 || span.SequenceEqual("."u8) || span.SequenceEqual(".."u8))
        {
            throw new ErrnoException(Errno.EINVAL, operation, Printable(span));
        }

        return span.ToArray();
    }

    /// <summary>A name for error messages: UTF-8 where it is, with other bytes and controls escaped.</summary>
    public static string Printable(ReadOnlySpan<byte> name)
    {
        var builder = new StringBuilder(name.Length);
        while (!name.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(name, out var rune, out var consumed);
            if (status != OperationStatus.Done || rune.Value is < ' ' or '"' or '\\' or 0x7f)
            {
                // Each byte that is not text is shown as itself, so two different names never
                // print alike (decoding first would turn every bad byte into the same U+FFFD).
                foreach (var b in name[..consumed])
                {
                    builder.Append($"\\x{b:x2}");
                }
            }
            else
            {
                builder.Append(rune.ToString());
            }

            name = name[consumed..];
        }

        return builder.ToString();
    }
}
