using System.Buffers;
using System.Net.Sockets;
using Gofer.Protocol.Framing;
using Gofer.Protocol.V1;

namespace Gofer.Server.Tests.EndToEnd;

/// <summary>A framed-session connection driven by hand, for clients that misbehave: pipeline without reading, stop halfway, never speak.</summary>
public sealed class RawSession : IDisposable
{
    private RawSession(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    /// <summary>Connects; sends <paramref name="preface"/> bytes of the session preface (all of it by default).</summary>
    public static RawSession Connect(string socketPath, int? preface = null)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            var bytes = SessionFraming.Preface.ToArray();
            if (preface != 0)
            {
                socket.Send(bytes.AsSpan(0, preface ?? bytes.Length));
            }

            return new RawSession(socket);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.Shutdown or SocketError.ConnectionReset)
        {
            // Accepted and closed at once (the gofer is at its connection bound): a session that reads end-of-file.
            return new RawSession(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends every request in one write, without waiting for answers; false when the gofer has closed the connection.</summary>
    public bool TrySend(IEnumerable<SessionRequest> requests)
    {
        try
        {
            Send(requests);
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.Shutdown or SocketError.ConnectionReset)
        {
            return false;
        }
    }

    /// <summary>Sends every request in one write, without waiting for answers.</summary>
    public void Send(IEnumerable<SessionRequest> requests)
    {
        var frames = new ArrayBufferWriter<byte>();
        foreach (var request in requests)
        {
            SessionFraming.Write(frames, request);
        }

        for (var sent = 0; sent < frames.WrittenCount;)
        {
            sent += Socket.Send(frames.WrittenSpan[sent..]);
        }
    }

    /// <summary>
    /// Waits up to <paramref name="deadline"/> for the gofer to close this connection: true when
    /// the read sees end-of-file (answers sent before it are skipped), false when it is still open.
    /// </summary>
    public async Task<bool> ClosedWithinAsync(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        var buffer = new byte[64 << 10];
        try
        {
            while (await Socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
    }

    public void Dispose() => Socket.Dispose();
}
