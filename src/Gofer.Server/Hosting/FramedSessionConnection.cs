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
    /// <summary>
    /// Replies written but not yet flushed to the socket, at most, before the session flushes and
    /// waits for the transport to take them. The transport's own buffer stops taking more at 1 MiB
    /// until the client reads; so a client that pipelines requests and never reads the answers
    /// holds at most one reply (≤ 4 MiB) plus that buffer, not every answer it asked for.
    /// </summary>
    public const int UnflushedReplyLimit = 64 << 10;

    private static readonly byte[] Preface = SessionFraming.Preface.ToArray();

    /// <summary>HTTP/2's connection preface ("PRI * HTTP/2.0…") is 24 bytes: the most a client must send to say what it speaks.</summary>
    private const int Http2PrefaceLength = 24;

    /// <summary>What a new connection's first bytes say.</summary>
    public enum Opening
    {
        /// <summary>The framed session's preface, now consumed.</summary>
        Session,

        /// <summary>Anything else (HTTP/2): nothing consumed, for Kestrel to read.</summary>
        Other,

        /// <summary>The client closed, or said too little before the deadline: close it.</summary>
        Silent,
    }

    /// <summary>
    /// Reads just enough of a new connection to tell a framed session from HTTP/2, within
    /// <paramref name="deadline"/>. Consumes the preface when it is one; otherwise consumes
    /// nothing, so HTTP/2 sees the connection untouched.
    /// </summary>
    public static async ValueTask<Opening> ReadOpeningAsync(PipeReader input, TimeSpan deadline)
    {
        ArgumentNullException.ThrowIfNull(input);
        var preface = Preface;

        // The deadline cancels the pending read (the read then reports IsCanceled): a client
        // that sends nothing, or a few bytes and then nothing, holds its descriptor no longer.
        await using var timer = new Timer(static reader => ((PipeReader)reader!).CancelPendingRead(), input, deadline, Timeout.InfiniteTimeSpan);
        while (true)
        {
            var read = await input.ReadAsync().ConfigureAwait(false);
            var buffer = read.Buffer;
            var seen = (int)Math.Min(buffer.Length, preface.Length);
            var matches = buffer.Slice(0, seen).ToArray().AsSpan().SequenceEqual(preface.AsSpan(0, seen));
            if (matches && seen == preface.Length)
            {
                input.AdvanceTo(buffer.GetPosition(seen));
                return Opening.Session;
            }

            if (!matches && buffer.Length >= Http2PrefaceLength)
            {
                input.AdvanceTo(buffer.Start);
                return Opening.Other;
            }

            if (read.IsCanceled || read.IsCompleted)
            {
                input.AdvanceTo(buffer.Start);
                return Opening.Silent;
            }

            // Too little so far to tell: wait for more bytes.
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>
    /// Answers requests until the client closes, in order. Replies are flushed as they pass
    /// <see cref="UnflushedReplyLimit"/> and at the end of each batch of requests that arrived
    /// together; a flush waits while the client is not reading, and meanwhile nothing more is read
    /// from it (backpressure: one request in flight per session). A frame that is too large or not
    /// a SessionRequest ends the connection (and so releases its handles): framing errors cannot
    /// be answered in-band. The connection is closed when it goes <see cref="ConnectionDeadlines.Idle"/>
    /// without a complete request while <paramref name="table"/> is empty.
    /// </summary>
    public static async Task ServeAsync(ConnectionContext connection, SessionDispatcher dispatcher, HandleTable table, TimeSpan idle, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(dispatcher);
        ArgumentNullException.ThrowIfNull(table);
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        var lastRequest = Environment.TickCount64;
        await using var idleTimer = new Timer(static reader => ((PipeReader)reader!).CancelPendingRead(), input, idle, Timeout.InfiniteTimeSpan);
        try
        {
            while (true)
            {
                var read = await input.ReadAsync(connection.ConnectionClosed).ConfigureAwait(false);
                var buffer = read.Buffer;
                var answered = false;
                while (SessionFraming.TryRead(ref buffer, SessionRequest.Parser, out var request))
                {
                    SessionFraming.Write(output, await dispatcher.HandleAsync(request!).ConfigureAwait(false));
                    answered = true;
                    if (!output.CanGetUnflushedBytes || output.UnflushedBytes > UnflushedReplyLimit)
                    {
                        await output.FlushAsync(connection.ConnectionClosed).ConfigureAwait(false);
                    }
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (answered)
                {
                    lastRequest = Environment.TickCount64;
                    idleTimer.Change(idle, Timeout.InfiniteTimeSpan);
                    await output.FlushAsync(connection.ConnectionClosed).ConfigureAwait(false);
                }
                else if (read.IsCanceled)
                {
                    var quiet = TimeSpan.FromMilliseconds(Environment.TickCount64 - lastRequest);
                    if (quiet >= idle && table.Count == 0)
                    {
                        LogIdle(logger, connection.ConnectionId, (int)quiet.TotalSeconds);
                        return;
                    }

                    // Holding handles (or a cancellation left from an earlier deadline): look again later.
                    idleTimer.Change(idle, Timeout.InfiniteTimeSpan);
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
            // The connection went away mid-read or mid-flush: nothing to answer.
        }
        catch (IOException e)
        {
            // A reset by the client: its own business, one line at most.
            LogReset(logger, connection.ConnectionId, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "framed session {ConnectionId} closed: {Reason}")]
    private static partial void LogProtocolError(ILogger logger, string connectionId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "framed session {ConnectionId} closed: idle {Seconds} s with no handles")]
    private static partial void LogIdle(ILogger logger, string connectionId, int seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "framed session {ConnectionId} ended by the client: {Reason}")]
    private static partial void LogReset(ILogger logger, string connectionId, string reason);
}
