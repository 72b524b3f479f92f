using System.Globalization;

namespace Gofer.Sentry.Tests.Differential;

/// <summary>
/// The seeds a run covers and the case each seed makes. CI runs seeds 0–59 (20 of each flavor); set
/// <c>GOFER_DIFF_SEEDS=N</c> for seeds 0…N-1, or <c>GOFER_DIFF_SEED=k</c> for seed k alone.
/// Seeds cycle through the flavors — k mod 3 = 0 mounts with <c>trusted.overlay.</c> xattrs, 1 with
/// <c>userxattr</c>, 2 with <c>trusted.overlay.</c> and <c>redirect_dir=on</c> — so one number
/// reproduces a case entirely.
/// </summary>
public static class RandomCases
{
    public const int CiSeeds = 60;

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

    public static OverlayFlavor FlavorOf(int seed) => (seed % 3) switch
    {
        0 => OverlayFlavor.Trusted,
        1 => OverlayFlavor.User,
        _ => OverlayFlavor.TrustedRedirect,
    };

    /// <param name="testClass">The test class that runs it, named in the command that reruns it.</param>
    public static DifferentialCase ForSeed(int seed, Type testClass)
    {
        var flavor = FlavorOf(seed);
        var layers = LayerSetGenerator.Generate(seed, flavor);
        return new DifferentialCase(
            $"seed {seed}",
            flavor,
            layers,
            ScriptGenerator.Generate(seed, layers, flavor),
            $"GOFER_DIFF_SEED={seed} dotnet test tests/Gofer.Sentry.Tests --filter \"FullyQualifiedName~{testClass.FullName}\"");
    }
}
