using System.Buffers;
using Google.Protobuf;

namespace Gofer.Protocol.Framing;

/// <summary>
/// The framed session: the Session stream's messages exchanged directly on the gofer's socket,
/// without HTTP/2 and gRPC around them. A client opens it by sending <see cref="Preface"/> as the
/// first bytes of a connection (an HTTP/2 client's first bytes are "PRI * HTTP/2.0", so the two
/// cannot be mistaken for each other); after that each direction is a sequence of messages, each
/// preceded by its length as a protobuf varint (the "delimited" encoding) — SessionRequest one
/// way, SessionResponse the other, answered in order. Same operations, same handles, same rules;
/// it exists because a round trip through gRPC's framing and HTTP/2 flow control costs several
/// times what the file operation does.
/// </summary>
public static class SessionFraming
{
    /// <summary>The bytes that open a framed session.</summary>
    public static ReadOnlySpan<byte> Preface => "gofer.v1.session\n"u8;

    /// <summary>Largest message either side accepts: a 4 MiB read or write plus its envelope.</summary>
    public const int MaxMessageSize = (4 << 20) + (64 << 10);

    /// <summary>Appends one message with its length prefix.</summary>
    public static void Write(IBufferWriter<byte> writer, IMessage message)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(message);
        var size = message.CalculateSize();
        var prefix = writer.GetSpan(5);
        var n = 0;
        for (var v = (uint)size; ; v >>= 7)
        {
            if (v < 0x80)
            {
                prefix[n++] = (byte)v;
                break;
            }

            prefix[n++] = (byte)(v | 0x80);
        }

        writer.Advance(n);
        message.WriteTo(writer);
    }

    /// <summary>
    /// Takes one whole message off the front of <paramref name="buffer"/>, or returns false when
    /// more bytes are needed. Throws <see cref="FramingException"/> for a length over
    /// <see cref="MaxMessageSize"/> or bytes that are not the message.
    /// </summary>
    public static bool TryRead<T>(ref ReadOnlySequence<byte> buffer, MessageParser<T> parser, out T? message)
        where T : IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(parser);
        message = default;
        var reader = new SequenceReader<byte>(buffer);
        ulong length = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (!reader.TryRead(out var b))
            {
                return false;
            }

            length |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                break;
            }

            if (shift >= 28)
            {
                throw new FramingException("framed session: malformed length prefix");
            }
        }

        if (length > MaxMessageSize)
        {
            throw new FramingException($"framed session: message of {length} bytes is over the {MaxMessageSize}-byte limit");
        }

        if (reader.Remaining < (long)length)
        {
            return false;
        }

        var body = buffer.Slice(reader.Position, (long)length);
        try
        {
            message = parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new FramingException($"framed session: {e.Message}", e);
        }

        buffer = buffer.Slice(body.End);
        return true;
    }
}
