using System.Buffers;
using System.IO.Pipelines;
using Gofer.Protocol.Framing;
using Gofer.Protocol.V1;
using Gofer.Server.Service;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Gofer.Server.Hosting;

/// <summary>Serves one connection that opened a framed session (see <see cref="SessionFraming"/>).</summary>
public static partial class FramedSessionConnection
{
    private static readonly byte[] Preface = SessionFraming.Preface.ToArray();

    /// <summary>
    /// Reads just enough of a new connection to tell a framed session from HTTP/2. Consumes the
    /// preface when it is one; otherwise consumes nothing, so HTTP/2 sees the connection untouched.
    /// </summary>
    public static async ValueTask<bool> IsRequestedAsync(PipeReader input)
    {
        var preface = Preface;
        while (true)
        {
            var read = await input.ReadAsync().ConfigureAwait(false);
            var buffer = read.Buffer;
            var seen = (int)Math.Min(buffer.Length, preface.Length);
            var matches = buffer.Slice(0, seen).ToArray().AsSpan().SequenceEqual(preface.AsSpan(0, seen));
            if (matches && seen == preface.Length)
            {
                input.AdvanceTo(buffer.GetPosition(seen));
                return true;
            }

            if (!matches || read.IsCompleted)
            {
                input.AdvanceTo(buffer.Start);
                return false;
            }

            // A prefix of the preface so far: wait for more bytes.
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>
    /// Answers requests until the client closes. Requests that arrive together are answered
    /// together, in order, with one flush. A frame that is too large or not a SessionRequest ends
    /// the connection (and so releases its handles): framing errors cannot be answered in-band.
    /// </summary>
    public static async Task ServeAsync(ConnectionContext connection, SessionDispatcher dispatcher, ILogger logger)
    {
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        try
        {
            while (true)
            {
                var read = await input.ReadAsync(connection.ConnectionClosed).ConfigureAwait(false);
                var buffer = read.Buffer;
                var answered = false;
                while (SessionFraming.TryRead(ref buffer, SessionRequest.Parser, out var request))
                {
                    SessionFraming.Write(output, dispatcher.Handle(request!));
                    answered = true;
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (answered)
                {
                    await output.FlushAsync(connection.ConnectionClosed).ConfigureAwait(false);
                }

                if (read.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (FramingException e)
        {
            LogProtocolError(logger, connection.ConnectionId, e.Message);
        }
        catch (OperationCanceledException)
        {
            // The connection went away mid-read: nothing to answer.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "framed session {ConnectionId} closed: {Reason}")]
    private static partial void LogProtocolError(ILogger logger, string connectionId, string reason);
}
