using Gofer.Server.Tests.EndToEnd;

namespace Gofer.Sentry.Tests.Differential;

/// <summary>
/// The on-disk format both ways: after a case's script, the upper the sentry wrote, mounted by the
/// kernel, shows the tree the sentry showed; and the upper the kernel wrote, served by the gofer,
/// shows the tree the kernel showed. Each reader mounts with the writer's workdir as it was left.
/// </summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class OnDiskInteropTests(PublishedGofer gofer)
{
    [Theory]
    [MemberData(nameof(RandomCases.Seeds), MemberType = typeof(RandomCases))]
    public Task Uppers_written_for_random_scripts_read_the_same_on_the_other_side(int seed) =>
        AssertUppersReadTheSame(RandomCases.ForSeed(seed, typeof(OnDiskInteropTests)));

    [Theory]
    [MemberData(nameof(Catalogue.All), MemberType = typeof(Catalogue))]
    public Task Uppers_written_for_catalogue_rules_read_the_same_on_the_other_side(string rule, OverlayFlavor flavor) =>
        AssertUppersReadTheSame(Catalogue.Case(rule, flavor, typeof(OnDiskInteropTests)));

    private async Task AssertUppersReadTheSame(DifferentialCase testCase)
    {
        using var run = await DifferentialRun.RunAsync(gofer.Binary, testCase);
        var tree = Ops.Tree().Line + "\n";

        var kernelReadsSentryUpper = KernelOverlay.RunAsync(run.GoferLayers, KernelOverlay.GoferExec(gofer.Binary), tree);
        var goferReadsKernelUpper = GoferOverlay.RunAsync(gofer.Binary, run.KernelLayers, tree);
        await Task.WhenAll(kernelReadsSentryUpper, goferReadsKernelUpper);

        var reports = new[]
        {
            OutputComparer.CompareTree(testCase, "the upper the sentry wrote, mounted by the kernel, shows another tree than the sentry did", run.Gofer, await kernelReadsSentryUpper),
            OutputComparer.CompareTree(testCase, "the upper the kernel wrote, served by the gofer, shows another tree than the kernel did", run.Kernel, await goferReadsKernelUpper),
        }.OfType<string>().ToList();
        Assert.True(reports.Count == 0, string.Join("\n\n", reports));
    }
}
