using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Gofer.Native;
using Gofer.Sentry.FileSystem;

namespace Gofer.Sentry.Exec;

/// <summary>
/// `gofer exec`: runs JSON-lines requests against a filesystem view and answers each with exactly
/// one JSON object on one line, in order, flushed at once (the `gofer exec` format of the README, compared
/// line by line by other tools). A bad line is answered with EINVAL and the run goes on; nothing a
/// request holds can end it.
/// </summary>
public sealed class ExecEngine(IFileSystem fileSystem)
{
    /// <summary>
    /// Compact, and only what JSON requires escaped: the default encoder would write base64's "+" as
    /// \u002B and every non-ASCII name in \u escapes. The output is read by programs, never embedded in HTML.
    /// </summary>
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Answers every request line of <paramref name="input"/> on <paramref name="output"/> until the end of the input.</summary>
    public void Run(TextReader input, Stream output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var buffer = new ArrayBufferWriter<byte>();
        using var json = new Utf8JsonWriter(buffer, WriterOptions);
        while (input.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            Answer(line, json, buffer);
            buffer.Write("\n"u8);
            output.Write(buffer.WrittenSpan);
            output.Flush();
        }
    }

    /// <summary>Writes the one answer to <paramref name="line"/>, without the newline.</summary>
    private void Answer(string line, Utf8JsonWriter json, ArrayBufferWriter<byte> buffer)
    {
        buffer.Clear();
        json.Reset(buffer);
        try
        {
            using var request = Parse(line);
            var arguments = new Arguments(request.RootElement);
            var op = arguments.String("op");
            if (!Operations.ByName.TryGetValue(op, out var operation))
            {
                throw new InvalidRequestException($"unknown op \"{op}\"");
            }

            json.WriteStartObject();
            json.WriteBoolean("ok", true);
            operation(arguments, fileSystem, json);
            json.WriteEndObject();
        }
        catch (ErrnoException e)
        {
            // The errno is the answer; the message would only repeat the request.
            Fail(json, buffer, e.Errno, null);
        }
        catch (InvalidRequestException e)
        {
            Fail(json, buffer, Errno.EINVAL, e.Message);
        }
#pragma warning disable CA1031 // One request's failure, whatever it is, must not end the run of the others.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Fail(json, buffer, Errno.EIO, $"{e.GetType().Name}: {e.Message}");
        }

        json.Flush();
    }

    private static JsonDocument Parse(string line)
    {
        JsonDocument request;
        try
        {
            request = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new InvalidRequestException($"not valid JSON: {e.Message}", e);
        }

        if (request.RootElement.ValueKind != JsonValueKind.Object)
        {
            request.Dispose();
            throw new InvalidRequestException("a request must be a JSON object");
        }

        return request;
    }

    /// <summary>Replaces whatever the failed request had written with <c>{"ok":false,"errno":…[,"error":…]}</c>.</summary>
    private static void Fail(Utf8JsonWriter json, ArrayBufferWriter<byte> buffer, int errno, string? error)
    {
        buffer.Clear();
        json.Reset(buffer);
        json.WriteStartObject();
        json.WriteBoolean("ok", false);
        json.WriteString("errno", Errno.Name(errno));
        if (error is not null)
        {
            json.WriteString("error", error);
        }

        json.WriteEndObject();
    }
}
