using System.Text;
using System.Text.Json;

namespace Gofer.Sentry.Tests.Crash;

/// <summary>A whole view as `tree` describes it, path by path: what a view shows, or what a script says it must show.</summary>
public sealed class TreeSnapshot(IReadOnlyDictionary<string, TreeNode> entries)
{
    public IReadOnlyDictionary<string, TreeNode> Entries => entries;

    /// <summary>The entries of one `tree` answer line.</summary>
    public static TreeSnapshot Parse(string answer)
    {
        using var document = JsonDocument.Parse(answer);
        var root = document.RootElement;
        if (!root.GetProperty("ok").GetBoolean())
        {
            throw new InvalidOperationException($"tree failed: {answer}");
        }

        return new TreeSnapshot(root.GetProperty("entries").EnumerateArray()
            .ToDictionary(e => e.GetProperty("path").GetString()!, TreeNode.FromJson, StringComparer.Ordinal));
    }

    /// <summary>
    /// How this view differs from <paramref name="expected"/>, one path per line: "+" a path only
    /// this view has (a stray name), "-" one it lacks, "~" one it shows otherwise. Empty when they agree.
    /// </summary>
    public string Differences(TreeSnapshot expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var lines = new StringBuilder();
        foreach (var path in entries.Keys.Union(expected.Entries.Keys).Order(StringComparer.Ordinal))
        {
            var here = entries.GetValueOrDefault(path);
            var there = expected.Entries.GetValueOrDefault(path);
            if (here == there)
            {
                continue;
            }

            lines.AppendLine(
                here is null ? $"- {path}: {there}"
                : there is null ? $"+ {path}: {here}"
                : $"~ {path}: {here}, expected {there}");
        }

        return lines.ToString();
    }
}
