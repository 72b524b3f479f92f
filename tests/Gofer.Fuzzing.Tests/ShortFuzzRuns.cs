using Gofer.Fuzzing;

// The harnesses count this process's descriptors: nothing else may run beside them.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Gofer.Fuzzing.Tests;

/// <summary>
/// The CI share of the fuzzing: a fixed seed and a fixed number of inputs per target (about half
/// a minute in all here), so a run is the same inputs every time and a failure replays with
/// <c>Gofer.Fuzzing replay</c> from the input it prints. Long runs use the command.
/// </summary>
public class ShortFuzzRuns
{
    private const int Seed = 20261202;

    [Fact]
    public void The_framed_session_survives_a_fixed_seed_run() => RunClean(FuzzTargetKind.Session, 800);

    [Fact]
    public void The_fuse_front_survives_a_fixed_seed_run() => RunClean(FuzzTargetKind.Fuse, 400);

    [Theory]
    [InlineData(FuzzTargetKind.Session)]
    [InlineData(FuzzTargetKind.Fuse)]
    public void The_same_seed_makes_the_same_inputs(FuzzTargetKind kind)
    {
        var first = Campaign.Generator(kind, Seed);
        var second = Campaign.Generator(kind, Seed);
        var other = Campaign.Generator(kind, Seed + 1);
        var a = Enumerable.Range(0, 50).Select(_ => first()).ToList();
        var b = Enumerable.Range(0, 50).Select(_ => second()).ToList();
        var c = Enumerable.Range(0, 50).Select(_ => other()).ToList();

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    private static void RunClean(FuzzTargetKind kind, int inputs)
    {
        using var target = Campaign.Open(kind);
        var result = Campaign.Run(target, Campaign.Generator(kind, Seed), inputs, TimeSpan.MaxValue);

        Assert.Equal(inputs, result.Executions);
        Assert.True(result.Findings.Count == 0, string.Join("\n", result.Findings.Select(f =>
            $"input {f.Execution} ({Convert.ToBase64String(f.Input)}): {f.Failure.Message}")));
    }
}
