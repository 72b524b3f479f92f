using System.Buffers;
using System.Net.Sockets;
using Gofer.Protocol.Framing;
using Gofer.Protocol.V1;

namespace Gofer.LoadBenchmark;

/// <summary>
/// A framed-session client on a plain socket, so the benchmark can also leave the way a crashed
/// client does: requests sent, answers never read, the socket closed under them.
/// </summary>
public sealed class LoadClient : IDisposable
{
    private readonly Socket socket;
    private readonly ArrayBufferWriter<byte> outgoing = new();
    private byte[] incoming = new byte[1 << 16];
    private int filled;
    private ulong tag;

    public LoadClient(string socketPath)
    {
        socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        socket.Send(SessionFraming.Preface);
    }

    /// <summary>One request, one answer; a failure stays in the answer.</summary>
    public SessionResponse Call(SessionRequest request)
    {
        Send([request]);
        return Receive();
    }

    /// <summary>
    /// Sends requests and leaves without their answers: as much of the batch as the gofer takes
    /// within a second (it stops reading a connection whose answers are not read), then the socket
    /// is closed under whatever is in flight.
    /// </summary>
    public void SendAndLeave(IEnumerable<SessionRequest> requests)
    {
        socket.SendTimeout = 1000;
        try
        {
            Send(requests);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            // The rest of the batch stays unsent: what was sent is in flight.
        }

        socket.Dispose();
    }

    /// <summary>Sends requests without waiting for their answers.</summary>
    private void Send(IEnumerable<SessionRequest> requests)
    {
        outgoing.ResetWrittenCount();
        foreach (var request in requests)
        {
            request.Tag = ++tag;
            SessionFraming.Write(outgoing, request);
        }

        for (var sent = 0; sent < outgoing.WrittenCount;)
        {
            sent += socket.Send(outgoing.WrittenSpan[sent..]);
        }
    }

    private SessionResponse Receive()
    {
        while (true)
        {
            var buffer = new ReadOnlySequence<byte>(incoming, 0, filled);
            if (SessionFraming.TryRead(ref buffer, SessionResponse.Parser, out var response))
            {
                var used = filled - (int)buffer.Length;
                Array.Copy(incoming, used, incoming, 0, filled - used);
                filled -= used;
                return response!;
            }

            if (filled == incoming.Length)
            {
                Array.Resize(ref incoming, incoming.Length * 2);
            }

            var n = socket.Receive(incoming.AsSpan(filled));
            if (n == 0)
            {
                throw new IOException("the gofer closed the connection");
            }

            filled += n;
        }
    }

    public void Dispose() => socket.Dispose();
}
