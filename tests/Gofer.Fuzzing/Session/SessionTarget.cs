using System.Buffers;
using System.IO.Pipelines;
using Gofer.Fuzzing.Layers;
using Gofer.Protocol.Framing;
using Gofer.Protocol.V1;
using Gofer.Server.Hosting;
using Gofer.Server.Service;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gofer.Fuzzing.Session;

/// <summary>
/// The framed session in process: the gofer's own connection code (<see cref="FramedSessionConnection"/>:
/// preface, length prefixes, the decode-dispatch-flush loop) and its <see cref="SessionDispatcher"/>
/// over real temporary layers, fed one input as the bytes a client sends after the preface. No
/// socket or Kestrel: a pipe pair stands for the connection, so one input costs microseconds of
/// harness and the rest is the gofer's own work.
/// </summary>
/// <remarks>
/// After each input: the session's code returned within <see cref="Deadline"/>; nothing escaped it;
/// every answer parses as a SessionResponse within the size limit, in request order, with the
/// request's tag and either the matching result or a failure with a real errno; once the
/// connection's handle table is gone the process holds no more descriptors than before and the
/// budget is back to zero; the read-only layers and the directory outside are unchanged.
/// </remarks>
public sealed class SessionTarget : IDisposable
{
    /// <summary>Longest one input may take. Generous: the machine is shared and a 4 MiB copy-up is legitimate.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static readonly PipeOptions Unbounded = new(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false);

    private readonly FuzzLayers layers;
    private readonly ServedMounts mounts;
    private readonly FileOperations operations;
    private readonly DescriptorBudget budget = new(4096);

    public SessionTarget()
    {
        layers = new FuzzLayers();
        mounts = ServedMounts.Open(layers.Plan, layer => layer.SourcePath);
        operations = new FileOperations(mounts);
    }

    /// <summary>The requests and answers of the last input, one line each (for replays).</summary>
    public string LastExchange { get; private set; } = "";

    /// <summary>Runs one input; throws <see cref="FindingException"/> when it broke a rule.</summary>
    public void Run(ReadOnlySpan<byte> input)
    {
        layers.Reset();
        var bytes = input.ToArray();
        var before = OpenDescriptors.Count();
        var requests = Requests(bytes, out var framingError);

        var fromClient = new Pipe(Unbounded);
        var toClient = new Pipe(Unbounded);
        var connection = new DefaultConnectionContext("fuzz", new Duplex(fromClient.Reader, toClient.Writer), new Duplex(toClient.Reader, fromClient.Writer));
        var table = new HandleTable(budget);
        var serving = Task.Run(async () =>
        {
            if (await FramedSessionConnection.ReadOpeningAsync(connection.Transport.Input, Deadline).ConfigureAwait(false) != FramedSessionConnection.Opening.Session)
            {
                throw new FindingException(FindingKind.MalformedReply, "the preface was not recognised");
            }

            // The idle deadline is the server's business, not the fuzzer's: longer than any input runs.
            await FramedSessionConnection.ServeAsync(connection, new SessionDispatcher(operations, table), table, Deadline, NullLogger.Instance).ConfigureAwait(false);
        });

        Send(fromClient.Writer, bytes);
        try
        {
            if (!serving.Wait(Deadline))
            {
                throw new FindingException(FindingKind.Hang, $"the session was not done after {Deadline.TotalSeconds} s");
            }
        }
        catch (AggregateException e) when (e.InnerException is { } inner)
        {
            throw inner as FindingException ?? new FindingException(FindingKind.UnhandledException, inner.GetType().Name + ": " + inner.Message, inner);
        }
        finally
        {
            // The connection ends: Kestrel's middleware disposes the table here (ConnectionRegistry.Close).
            if (serving.IsCompleted)
            {
                table.Dispose();
            }
        }

        toClient.Writer.Complete();
        LastExchange = string.Join('\n', requests.Select(r => "> " + Shorten(r.ToString()))) + (framingError ? "\n> (malformed frame)" : "");
        var answers = Answers(toClient.Reader);
        LastExchange += "\n" + string.Join('\n', answers.Select(a => "< " + Shorten(a.ToString())));
        CheckAnswers(requests, framingError, answers);
        if (budget.InUse != 0)
        {
            throw new FindingException(FindingKind.LeakedDescriptor, $"{budget.InUse} handle token(s) still taken after the connection ended");
        }

        OpenDescriptors.Settle(before, TimeSpan.FromSeconds(2), "framed session");
        layers.CheckGuarded();
    }

    /// <summary>The preface, then the input in pieces whose sizes follow from its bytes, so frame boundaries land anywhere in a read.</summary>
    private static void Send(PipeWriter writer, byte[] bytes)
    {
        writer.Write(SessionFraming.Preface);
        writer.FlushAsync().AsTask().Wait();
        var piece = 1 + (bytes.Length == 0 ? 0 : bytes[^1] % 61);
        for (var at = 0; at < bytes.Length;)
        {
            var length = Math.Min(piece, bytes.Length - at);
            writer.Write(bytes.AsSpan(at, length));
            writer.FlushAsync().AsTask().Wait();
            at += length;
            piece = piece * 7 % 4093 + 1;
        }

        writer.Complete();
    }

    /// <summary>The requests the gofer should answer: the whole frames before the first malformed one.</summary>
    private static List<SessionRequest> Requests(byte[] bytes, out bool framingError)
    {
        var requests = new List<SessionRequest>();
        var buffer = new ReadOnlySequence<byte>(bytes);
        framingError = false;
        try
        {
            while (SessionFraming.TryRead(ref buffer, SessionRequest.Parser, out var request))
            {
                requests.Add(request!);
            }
        }
        catch (FramingException)
        {
            framingError = true;
        }

        return requests;
    }

    private static List<SessionResponse> Answers(PipeReader reader)
    {
        var answers = new List<SessionResponse>();
        if (!reader.TryRead(out var read))
        {
            return answers;
        }

        var buffer = read.Buffer;
        try
        {
            while (SessionFraming.TryRead(ref buffer, SessionResponse.Parser, out var answer))
            {
                answers.Add(answer!);
            }
        }
        catch (FramingException e)
        {
            throw new FindingException(FindingKind.MalformedReply, $"answer {answers.Count + 1} does not parse: {e.Message}");
        }

        if (buffer.Length != 0)
        {
            throw new FindingException(FindingKind.MalformedReply, $"{buffer.Length} bytes after the last whole answer");
        }

        reader.AdvanceTo(buffer.End);
        return answers;
    }

    /// <summary>
    /// In order, one answer per request. After a malformed frame the connection closes, and
    /// answers of the same read that were not flushed yet may be lost with it: fewer is fine then.
    /// </summary>
    private static void CheckAnswers(List<SessionRequest> requests, bool framingError, List<SessionResponse> answers)
    {
        if (answers.Count > requests.Count || (!framingError && answers.Count != requests.Count))
        {
            throw new FindingException(FindingKind.MalformedReply, $"{answers.Count} answers to {requests.Count} requests");
        }

        for (var i = 0; i < answers.Count; i++)
        {
            var (request, answer) = (requests[i], answers[i]);
            if (answer.Tag != request.Tag)
            {
                throw new FindingException(FindingKind.MalformedReply, $"answer {i + 1} is tagged {answer.Tag}, its request {request.Tag}");
            }

            if (answer.ResultCase == SessionResponse.ResultOneofCase.Failure)
            {
                var failure = answer.Failure;
                if (failure.Errno is <= 0 or >= 4096 || string.IsNullOrEmpty(failure.Message))
                {
                    throw new FindingException(FindingKind.MalformedReply, $"answer {i + 1} ({request.OpCase}) fails with errno {failure.Errno} \"{failure.Message}\"");
                }
            }
            else if (request.OpCase == SessionRequest.OpOneofCase.None || answer.ResultCase.ToString() != request.OpCase.ToString())
            {
                throw new FindingException(FindingKind.MalformedReply, $"answer {i + 1} to {request.OpCase} is {answer.ResultCase}");
            }
        }
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;

    public void Dispose()
    {
        mounts.Dispose();
        layers.Dispose();
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }
}
