using System.Text.Json;

namespace Gofer.Sentry.Exec;

/// <summary>
/// The arguments of one request, read by name and type. A missing required argument, or one of the
/// wrong type, is an <see cref="InvalidRequestException"/> naming it; an absent optional one takes
/// its default (an explicit <c>null</c> is of the wrong type, not absent). Unknown names are ignored.
/// </summary>
internal sealed class Arguments(JsonElement request)
{
    /// <summary>An absolute path inside the mount ("/" is its root).</summary>
    public string Path(string name)
    {
        var path = String(name);
        return path.StartsWith('/') ? path : throw new InvalidRequestException($"\"{name}\" must be an absolute path (starting with /), not \"{path}\"");
    }

    public string String(string name) => StringValue(name, Required(name));

    public string String(string name, string fallback) => Optional(name) is { } value ? StringValue(name, value) : fallback;

    public long Int64(string name) => Int64Value(name, Required(name));

    public long Int64(string name, long fallback) => Optional(name) is { } value ? Int64Value(name, value) : fallback;

    /// <summary>A mode, uid or gid: an integer from 0 to 4294967295.</summary>
    public uint UInt32(string name)
    {
        var value = Required(name);
        return value.ValueKind == JsonValueKind.Number && value.TryGetUInt32(out var n)
            ? n
            : throw new InvalidRequestException($"\"{name}\" must be an integer from 0 to 4294967295");
    }

    public bool Boolean(string name, bool fallback) => Optional(name) switch
    {
        null => fallback,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw new InvalidRequestException($"\"{name}\" must be true or false"),
    };

    /// <summary>Binary data, base64 with padding (RFC 4648).</summary>
    public byte[] Base64(string name)
    {
        var text = String(name);
        var bytes = new byte[text.Length * 3 / 4];
        return System.Convert.TryFromBase64String(text, bytes, out var written)
            ? bytes[..written]
            : throw new InvalidRequestException($"\"{name}\" must be base64");
    }

    /// <summary>One of a fixed set of strings, the empty string when absent.</summary>
    public T Choice<T>(string name, IReadOnlyList<(string Text, T Value)> choices)
    {
        ArgumentNullException.ThrowIfNull(choices);
        var text = String(name, string.Empty);
        foreach (var (choiceText, value) in choices)
        {
            if (choiceText == text)
            {
                return value;
            }
        }

        throw new InvalidRequestException($"\"{name}\" must be one of {string.Join(", ", choices.Select(c => $"\"{c.Text}\""))}, not \"{text}\"");
    }

    private JsonElement Required(string name) =>
        Optional(name) ?? throw new InvalidRequestException($"missing argument \"{name}\"");

    private JsonElement? Optional(string name) => request.TryGetProperty(name, out var value) ? value : null;

    private static string StringValue(string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new InvalidRequestException($"\"{name}\" must be a string");
        }

        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            // An escaped lone surrogate ("\ud800") is valid JSON but no string of characters.
            throw new InvalidRequestException($"\"{name}\" is not valid Unicode", e);
        }
    }

    private static long Int64Value(string name, JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n)
            ? n
            : throw new InvalidRequestException($"\"{name}\" must be a 64-bit integer");
}
