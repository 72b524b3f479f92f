using System.Diagnostics;
using Gofer.Fuzzing.Fuse;
using Gofer.Fuzzing.Session;

namespace Gofer.Fuzzing;

/// <summary>Which harness a run drives.</summary>
public enum FuzzTargetKind
{
    Session,
    Fuse,
}

/// <summary>One finding: the input that broke a rule (replayable alone) and what broke.</summary>
public sealed record Finding(byte[] Input, FindingException Failure, long Execution);

/// <summary>What a run did.</summary>
public sealed record CampaignResult(long Executions, TimeSpan Elapsed, IReadOnlyList<Finding> Findings)
{
    public double PerSecond => Executions / Math.Max(Elapsed.TotalSeconds, 1e-9);
}

/// <summary>
/// A generator's inputs through a target until a count or a time is reached. A run is
/// reproducible from its seed: the generator's bytes depend on the seed alone, and each input
/// starts from freshly laid layers. It stops at the first hang (the target is then wedged) and
/// keeps going after other findings, keeping the first input of each distinct one.
/// </summary>
public static class Campaign
{
    public static IFuzzTarget Open(FuzzTargetKind kind) => kind switch
    {
        FuzzTargetKind.Session => new SessionTargetAdapter(new SessionTarget()),
        _ => new FuseTargetAdapter(new FuseTarget()),
    };

    public static Func<byte[]> Generator(FuzzTargetKind kind, int seed) => kind switch
    {
        FuzzTargetKind.Session => new SessionGenerator(seed).Next,
        _ => new FuseRequestGenerator(seed).Next,
    };

    public static CampaignResult Run(IFuzzTarget target, Func<byte[]> next, long inputs, TimeSpan duration, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(next);
        var clock = Stopwatch.StartNew();
        var findings = new List<Finding>();
        var seen = new HashSet<string>();
        var executions = 0L;
        var lastReport = TimeSpan.Zero;
        while (executions < inputs && clock.Elapsed < duration)
        {
            var input = next();
            executions++;
            try
            {
                target.Run(input);
            }
            catch (FindingException finding)
            {
                if (seen.Add(finding.Kind + finding.Message.Split('\n')[0]))
                {
                    findings.Add(new Finding(input, finding, executions));
                    progress?.Invoke($"finding at input {executions}: {finding.Message.Split('\n')[0]}");
                }

                if (finding.Kind == FindingKind.Hang)
                {
                    break;
                }
            }

            if (progress is not null && clock.Elapsed - lastReport > TimeSpan.FromSeconds(30))
            {
                lastReport = clock.Elapsed;
                progress($"{executions} inputs in {clock.Elapsed.TotalSeconds:F0} s ({executions / clock.Elapsed.TotalSeconds:F0}/s), {findings.Count} finding(s)");
            }
        }

        return new CampaignResult(executions, clock.Elapsed, findings);
    }
}

/// <summary>A harness: runs one input, throws <see cref="FindingException"/> when it broke a rule.</summary>
public interface IFuzzTarget : IDisposable
{
    void Run(ReadOnlySpan<byte> input);

    /// <summary>What the last input exchanged, for a person reading a replay.</summary>
    string LastExchange { get; }
}

internal sealed class SessionTargetAdapter(SessionTarget target) : IFuzzTarget
{
    public void Run(ReadOnlySpan<byte> input) => target.Run(input);

    public string LastExchange => target.LastExchange;

    public void Dispose() => target.Dispose();
}

internal sealed class FuseTargetAdapter(FuseTarget target) : IFuzzTarget
{
    public void Run(ReadOnlySpan<byte> input) => target.Run(input);

    public string LastExchange => "";

    public void Dispose() => target.Dispose();
}
