using System.Globalization;

namespace Gofer.Sentry.Tests.Differential;

/// <summary>
/// The seeds a run covers and the case each seed makes. CI runs seeds 0–39; set
/// <c>GOFER_DIFF_SEEDS=N</c> for seeds 0…N-1, or <c>GOFER_DIFF_SEED=k</c> for seed k alone.
/// Even seeds mount with <c>trusted.overlay.</c> xattrs, odd ones with <c>userxattr</c>, so one
/// number reproduces a case entirely.
/// </summary>
public static class RandomCases
{
    public const int CiSeeds = 40;

    /// <summary>The seeds to run, as theory data.</summary>
    public static TheoryData<int> Seeds()
    {
        var one = Environment.GetEnvironmentVariable("GOFER_DIFF_SEED");
        var count = Environment.GetEnvironmentVariable("GOFER_DIFF_SEEDS");
        IEnumerable<int> seeds = !string.IsNullOrEmpty(one) ? [int.Parse(one, CultureInfo.InvariantCulture)]
            : !string.IsNullOrEmpty(count) ? Enumerable.Range(0, int.Parse(count, CultureInfo.InvariantCulture))
            : Enumerable.Range(0, CiSeeds);
        return [.. seeds];
    }

    /// <param name="testClass">The test class that runs it, named in the command that reruns it.</param>
    public static DifferentialCase ForSeed(int seed, Type testClass)
    {
        var layers = LayerSetGenerator.Generate(seed);
        return new DifferentialCase(
            $"seed {seed}",
            seed % 2 == 0 ? OverlayFlavor.Trusted : OverlayFlavor.User,
            layers,
            ScriptGenerator.Generate(seed, layers),
            $"GOFER_DIFF_SEED={seed} dotnet test tests/Gofer.Sentry.Tests --filter \"FullyQualifiedName~{testClass.FullName}\"");
    }
}
