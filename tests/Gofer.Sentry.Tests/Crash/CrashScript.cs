using System.Text.Json.Nodes;

namespace Gofer.Sentry.Tests.Crash;

/// <summary>
/// A `gofer exec` script of changes to the large files of a <see cref="LargeLowerLayer"/>, and the
/// view it must leave after each prefix of it: <see cref="States"/>[k] is the view once exactly the
/// first k requests took effect. Each file gets one of a few short plans; the plans are interleaved at random.
/// </summary>
public sealed class CrashScript
{
    /// <summary>The mode a chmod gives.</summary>
    public const int ChmodMode = 0x180;

    private static readonly CrashStep[][] Plans =
    [
        [CrashStep.Chmod],
        [CrashStep.Append],
        [CrashStep.Truncate],
        [CrashStep.Rename],
        [CrashStep.Unlink],

        // The file is in the upper layer when it goes: RENAME_WHITEOUT to a temporary name, then removal of the temporary.
        [CrashStep.Append, CrashStep.Unlink],

        // A file already in the upper layer is renamed over nothing, leaving a whiteout at its old name.
        [CrashStep.Truncate, CrashStep.Rename],
        [CrashStep.Chmod, CrashStep.Append],
    ];

    private CrashScript(IReadOnlyList<string> requests, IReadOnlyList<string> descriptions, IReadOnlyList<TreeSnapshot> states)
    {
        Requests = requests;
        Descriptions = descriptions;
        States = states;
    }

    /// <summary>The request lines, in order.</summary>
    public IReadOnlyList<string> Requests { get; }

    /// <summary>Each request in a few words, for reports ("Append /big/f3.bin").</summary>
    public IReadOnlyList<string> Descriptions { get; }

    /// <summary>The view after each prefix of the requests, from none (the lower as it is) to all.</summary>
    public IReadOnlyList<TreeSnapshot> States { get; }

    public static CrashScript Generate(Random random, LargeLowerLayer lower)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(lower);
        var files = lower.Files;
        var plans = files.Select(_ => Plans[random.Next(Plans.Length)]).ToList();
        var done = new int[files.Count];
        var states = files.Select(f => new FileState(f.Path, f.Mode, FileContent.Original)).ToArray();
        var requests = new List<string>();
        var descriptions = new List<string>();
        var snapshots = new List<TreeSnapshot> { Snapshot(lower, states) };
        while (Enumerable.Range(0, files.Count).Where(i => done[i] < plans[i].Length).ToList() is { Count: > 0 } pending)
        {
            var i = pending[random.Next(pending.Count)];
            var step = plans[i][done[i]++];
            var (request, after) = Apply(step, files[i], states[i]);
            requests.Add(request.ToJsonString());
            descriptions.Add($"{step} {states[i].Path}");
            states[i] = after;
            snapshots.Add(Snapshot(lower, states));
        }

        return new CrashScript(requests, descriptions, snapshots);
    }

    private static (JsonObject Request, FileState After) Apply(CrashStep step, LargeFile file, FileState state)
    {
        var path = state.Path ?? throw new InvalidOperationException($"{file.Path} is gone before {step}");
        return step switch
        {
            CrashStep.Chmod => (new JsonObject { ["op"] = "chmod", ["path"] = path, ["mode"] = ChmodMode }, state with { Mode = ChmodMode }),
            CrashStep.Append => (
                new JsonObject { ["op"] = "append", ["path"] = path, ["data"] = Convert.ToBase64String(file.Suffix) },
                state with { Content = FileContent.Appended }),
            CrashStep.Truncate => (
                new JsonObject { ["op"] = "truncate", ["path"] = path, ["size"] = file.TruncatedSize },
                state with { Content = FileContent.Truncated }),
            CrashStep.Rename => (
                new JsonObject { ["op"] = "rename", ["from"] = path, ["to"] = path + ".renamed", ["flags"] = string.Empty },
                state with { Path = path + ".renamed" }),
            CrashStep.Unlink => (new JsonObject { ["op"] = "unlink", ["path"] = path }, state with { Path = null }),
            _ => throw new ArgumentOutOfRangeException(nameof(step), step, null),
        };
    }

    private static TreeSnapshot Snapshot(LargeLowerLayer lower, FileState[] states)
    {
        var entries = new Dictionary<string, TreeNode>(lower.Unchanged, StringComparer.Ordinal);
        for (var i = 0; i < states.Length; i++)
        {
            if (states[i].Path is { } path)
            {
                entries[path] = lower.Files[i].Node(states[i]);
            }
        }

        return new TreeSnapshot(entries);
    }
}
