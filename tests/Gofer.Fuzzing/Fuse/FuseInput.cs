using Gofer.Fuzzing.Mutation;

namespace Gofer.Fuzzing.Fuse;

/// <summary>
/// The FUSE target's input: kernel messages, each preceded by its length as a varint. The kernel
/// hands a FUSE server one message per read(2), so message boundaries are part of the input; a
/// length past the end or over <see cref="MaxMessage"/> ends the sequence there; an empty message is skipped.
/// </summary>
public static class FuseInput
{
    /// <summary>
    /// Largest message the harness sends: a SOCK_SEQPACKET message must fit the socket's send
    /// buffer, and a 128 KiB WRITE exercises every path a 1 MiB one does.
    /// </summary>
    public const int MaxMessage = 160 << 10;

    public static List<byte[]> Split(ReadOnlySpan<byte> input)
    {
        var messages = new List<byte[]>();
        while (!input.IsEmpty)
        {
            ulong length = 0;
            var used = 0;
            for (var shift = 0; used < input.Length && shift < 35; shift += 7)
            {
                var b = input[used++];
                length |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    break;
                }
            }

            if (length > MaxMessage || (ulong)(input.Length - used) < length)
            {
                break;
            }

            // The kernel never sends an empty message, and on the harness's socket one would read
            // as the connection's end.
            if (length > 0)
            {
                messages.Add(input.Slice(used, (int)length).ToArray());
            }

            input = input[(used + (int)length)..];
        }

        return messages;
    }

    public static byte[] Join(IEnumerable<byte[]> messages) =>
        [.. messages.SelectMany(m => ByteMutator.Varint((ulong)m.Length).Concat(m))];
}
