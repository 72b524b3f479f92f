using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gofer.Sentry.Tests.Differential;

/// <summary>
/// Compares answers line by line, errno-exactly, after removing only <see cref="KnownDifferences"/>.
/// A report stands on its own: the case and its flavor, the command that reruns it, the first
/// difference (for a <c>tree</c>, path by path), every step with both answers, and the layers as
/// the C# that makes them, ready to become a catalogue case.
/// </summary>
public static class OutputComparer
{
    /// <summary>The differences between the kernel's and the gofer's answers to the case's script, or null when there are none.</summary>
    public static string? Compare(DifferentialCase testCase, ExecOutput kernel, ExecOutput gofer)
    {
        var steps = testCase.Steps;
        var problems = new List<string>();
        foreach (var (side, output) in new[] { ("kernel", kernel), ("gofer", gofer) })
        {
            if (output.ExitCode != 0 || output.Lines.Count != steps.Count)
            {
                problems.Add($"The {side} side answered {output.Lines.Count} of {steps.Count} steps: {output.Describe()}");
            }
        }

        var listing = new StringBuilder();
        string? first = null;
        var differing = 0;
        for (var i = 0; i < steps.Count; i++)
        {
            var k = Answer(kernel, i);
            var g = Answer(gofer, i);
            // Two missing answers are not a difference of their own: the side that stopped is reported above.
            var same = JsonNode.DeepEquals(KnownDifferences.Normalize(k), KnownDifferences.Normalize(g));
            var contradiction = k is JsonObject answer ? steps[i].Contradiction(answer) : steps[i].Expected is null ? null : "no answer";
            if (contradiction is not null)
            {
                problems.Add($"Step {i + 1} {steps[i].Line}: the kernel contradicts what the case states ({contradiction}); the case no longer tests its rule.");
            }

            listing.Append(CultureInfo.InvariantCulture, $"{i + 1,3} {(same ? ' ' : '≠')}{(contradiction is null ? ' ' : '!')} {steps[i].Line}\n");
            if (same)
            {
                listing.Append(CultureInfo.InvariantCulture, $"        both:   {Text(k)}\n");
                continue;
            }

            listing.Append(CultureInfo.InvariantCulture, $"        kernel: {Text(k)}\n        gofer:  {Text(g)}\n");
            differing++;
            first ??= $"First difference, step {i + 1}: {steps[i].Line}\n{Difference(k, g)}";
        }

        if (first is not null)
        {
            problems.Add($"{differing} of {steps.Count} steps answer differently.\n\n{first}");
        }

        return problems.Count == 0 ? null : Report(testCase, "the gofer side answers differently from the kernel", problems, "Every step (≠ answers differ, ! the kernel contradicts the case):\n" + listing);
    }

    /// <summary>
    /// The on-disk check: <paramref name="reader"/> ran one <c>tree</c> of layers another
    /// implementation wrote, and must show the tree that implementation itself showed last.
    /// </summary>
    /// <param name="what">Which way round, for the report.</param>
    /// <param name="writer">The writer's run of the script; its last answer is its final tree.</param>
    public static string? CompareTree(DifferentialCase testCase, string what, ExecOutput writer, ExecOutput reader)
    {
        var expected = Answer(writer, writer.Lines.Count - 1);
        var actual = Answer(reader, 0);
        if (writer.ExitCode != 0 || reader.ExitCode != 0 || reader.Lines.Count != 1)
        {
            return Report(testCase, what, [$"The writer: {writer.Describe()}", $"The reader: {reader.Describe()}"], "");
        }

        return JsonNode.DeepEquals(KnownDifferences.Normalize(expected), KnownDifferences.Normalize(actual))
            ? null
            : Report(testCase, what, [Difference(expected, actual, "writer", "reader")], $"writer: {Text(expected)}\nreader: {Text(actual)}\n");
    }

    private static string Report(DifferentialCase testCase, string what, IEnumerable<string> problems, string details) =>
        $"""
        {testCase}: {what}.
        Rerun it alone: {testCase.Reproduce}

        {string.Join("\n\n", problems)}

        {details}
        Layers ({testCase.Flavor}):
        {testCase.Layers}
        """;

    /// <summary>One answer, parsed; a line that is not JSON stays a string so it still compares.</summary>
    private static JsonNode? Answer(ExecOutput output, int index)
    {
        if (index < 0 || index >= output.Lines.Count)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(output.Lines[index]);
        }
        catch (JsonException)
        {
            return JsonValue.Create(output.Lines[index]);
        }
    }

    private static string Text(JsonNode? answer) => answer?.ToJsonString() ?? "(no answer)";

    /// <summary>Two answers side by side or, for two trees, the paths where they part.</summary>
    private static string Difference(JsonNode? left, JsonNode? right, string leftName = "kernel", string rightName = "gofer")
    {
        if (Entries(left) is not { } leftEntries || Entries(right) is not { } rightEntries)
        {
            return $"  {leftName}: {Text(left)}\n  {rightName}: {Text(right)}";
        }

        var text = new StringBuilder();
        foreach (var path in leftEntries.Keys.Union(rightEntries.Keys).Order(StringComparer.Ordinal))
        {
            var l = leftEntries.GetValueOrDefault(path);
            var r = rightEntries.GetValueOrDefault(path);
            if (!JsonNode.DeepEquals(KnownDifferences.Normalize(l), KnownDifferences.Normalize(r)))
            {
                text.Append(CultureInfo.InvariantCulture, $"  {path}\n    {leftName}: {Text(l)}\n    {rightName}: {Text(r)}\n");
            }
        }

        // Same entries but another difference (ok, errno): show the whole answers.
        return text.Length > 0 ? text.ToString() : $"  {leftName}: {Text(left)}\n  {rightName}: {Text(right)}";
    }

    /// <summary>A tree answer's entries by path, or null for any other answer.</summary>
    private static Dictionary<string, JsonNode?>? Entries(JsonNode? answer)
    {
        if (answer is not JsonObject { } obj || obj["entries"] is not JsonArray entries || !entries.All(e => e?["path"] is JsonValue))
        {
            return null;
        }

        var byPath = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            byPath[entry!["path"]!.GetValue<string>()] = entry;
        }

        return byPath;
    }
}
