using System.Net.Sockets;
using Grpc.Net.Client;

namespace Gofer.Sentry.Connection;

/// <summary>A gRPC channel to a gofer's Unix socket.</summary>
public static class GoferChannel
{
    /// <summary>
    /// Opens a channel over HTTP/2 to the socket at <paramref name="socketPath"/>. The address's
    /// authority is "localhost": the server rejects an authority equal to the socket path.
    /// </summary>
    public static GrpcChannel ForUnixSocket(string socketPath) =>
        GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, token) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), token).ConfigureAwait(false);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            },

            // Reads and writes carry up to 4 MiB of data plus framing.
            MaxReceiveMessageSize = null,
            MaxSendMessageSize = null,

            // Disposing the channel ends its connection, which is what releases its handles.
            DisposeHttpClient = true,
        });
}
