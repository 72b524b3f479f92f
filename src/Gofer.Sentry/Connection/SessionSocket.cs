using System.Diagnostics;
using System.Buffers;
using System.Net.Sockets;
using Gofer.Protocol.Framing;
using Gofer.Protocol.V1;

namespace Gofer.Sentry.Connection;

/// <summary>
/// A framed session (see <see cref="SessionFraming"/>) on its own connection: the sentry's fast
/// path. Calls are synchronous on the calling thread — no HTTP/2 stream, no thread hop — and
/// serialised by a lock; <see cref="CallMany"/> pipelines a batch into one round trip. Handles
/// made here belong to this connection and are released when it is disposed.
/// </summary>
public sealed class SessionSocket : IDisposable
{
    /// <summary>How long a receive polls for the gofer's answer before it blocks: 50 µs.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 20_000;

    private readonly Socket socket;
    private readonly Lock gate = new();
    private readonly ArrayBufferWriter<byte> outgoing = new();
    private byte[] incoming = new byte[64 << 10];
    private int start;
    private int end;
    private ulong lastTag;

    private SessionSocket(Socket socket) => this.socket = socket;

    /// <summary>Connects to a gofer's socket and opens a framed session on it.</summary>
    public static SessionSocket Connect(string socketPath)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            socket.Send(SessionFraming.Preface);
            return new SessionSocket(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>How many round trips this connection has made (one per <see cref="CallMany"/>).</summary>
    public long RoundTrips { get; private set; }

    /// <summary>Sends one request (its tag is set here) and returns its answer; failures come back in-band.</summary>
    public SessionResponse Call(SessionRequest request) => CallMany([request])[0];

    /// <summary>Sends every request at once and returns their answers in order: one round trip for the batch.</summary>
    public IReadOnlyList<SessionResponse> CallMany(IReadOnlyList<SessionRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        lock (gate)
        {
            RoundTrips++;
            outgoing.ResetWrittenCount();
            var firstTag = lastTag + 1;
            foreach (var request in requests)
            {
                request.Tag = ++lastTag;
                SessionFraming.Write(outgoing, request);
            }

            for (var sent = 0; sent < outgoing.WrittenCount;)
            {
                sent += socket.Send(outgoing.WrittenSpan[sent..]);
            }

            var responses = new SessionResponse[requests.Count];
            for (var i = 0; i < responses.Length; i++)
            {
                responses[i] = Receive();
                if (responses[i].Tag != firstTag + (ulong)i)
                {
                    throw new FramingException($"framed session: answer tagged {responses[i].Tag}, expected {firstTag + (ulong)i}");
                }
            }

            return responses;
        }
    }

    private SessionResponse Receive()
    {
        while (true)
        {
            var buffer = new ReadOnlySequence<byte>(incoming, start, end - start);
            if (SessionFraming.TryRead(ref buffer, SessionResponse.Parser, out var response))
            {
                start = end - (int)buffer.Length;
                return response!;
            }

            Fill();
        }
    }

    /// <summary>Reads more bytes, first making room: the unread tail moves to the front, and the buffer grows for a large message.</summary>
    private void Fill()
    {
        if (start > 0)
        {
            Array.Copy(incoming, start, incoming, 0, end - start);
            end -= start;
            start = 0;
        }

        if (end == incoming.Length)
        {
            if (incoming.Length >= SessionFraming.MaxMessageSize + 8)
            {
                throw new FramingException("framed session: answer larger than any message may be");
            }

            Array.Resize(ref incoming, Math.Min(incoming.Length * 2, SessionFraming.MaxMessageSize + 8));
        }

        // The gofer answers within tens of microseconds: wait for it awake rather than asleep, since
        // waking an idle CPU costs as much again on a virtual machine. Bounded, so a slow answer
        // (a large copy-up) is waited for in the kernel as usual.
        var spinUntil = Stopwatch.GetTimestamp() + SpinTicks;
        while (socket.Available == 0 && Stopwatch.GetTimestamp() < spinUntil)
        {
        }

        var n = socket.Receive(incoming, end, incoming.Length - end, SocketFlags.None);
        if (n == 0)
        {
            throw new FramingException("framed session: the gofer closed the connection");
        }

        end += n;
    }

    public void Dispose() => socket.Dispose();
}
