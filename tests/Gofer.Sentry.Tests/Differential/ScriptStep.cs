using System.Text.Json.Nodes;

namespace Gofer.Sentry.Tests.Differential;

/// <summary>
/// One line of a `gofer exec` script, and optionally what the kernel is known to answer: a
/// catalogue case states the rule it exercises, and a case whose kernel answer differs from the
/// statement is itself wrong (it no longer tests its rule).
/// </summary>
/// <param name="Operation">The JSON object sent, in the field order of EXEC.md.</param>
/// <param name="Expected">Fields the kernel's answer must contain with exactly these values, or null.</param>
public sealed record ScriptStep(JsonObject Operation, JsonObject? Expected = null)
{
    /// <summary>The kernel fails this step with <paramref name="errno"/>.</summary>
    public ScriptStep Fails(string errno) => this with { Expected = new JsonObject { ["ok"] = false, ["errno"] = errno } };

    /// <summary>The kernel succeeds, answering at least these fields.</summary>
    public ScriptStep Gives(JsonObject fields)
    {
        var expected = new JsonObject { ["ok"] = true };
        foreach (var (name, value) in fields)
        {
            expected[name] = value?.DeepClone();
        }

        return this with { Expected = expected };
    }

    /// <summary>The kernel succeeds.</summary>
    public ScriptStep Succeeds() => Gives([]);

    /// <summary>The line as sent.</summary>
    public string Line => Operation.ToJsonString();

    /// <summary>Why <paramref name="answer"/> contradicts <see cref="Expected"/>, or null when it agrees (or nothing is expected).</summary>
    public string? Contradiction(JsonObject answer)
    {
        if (Expected is null)
        {
            return null;
        }

        var wrong = Expected.Where(field => !JsonNode.DeepEquals(field.Value, answer[field.Key]))
            .Select(field => $"{field.Key}: expected {field.Value?.ToJsonString() ?? "null"}, got {answer[field.Key]?.ToJsonString() ?? "nothing"}")
            .ToList();
        return wrong.Count == 0 ? null : string.Join("; ", wrong);
    }
}
