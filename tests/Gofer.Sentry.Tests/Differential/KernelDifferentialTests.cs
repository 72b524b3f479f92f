using Gofer.Server.Tests.EndToEnd;

namespace Gofer.Sentry.Tests.Differential;

/// <summary>
/// The sentry against the kernel: each case's script runs through `gofer exec` on the kernel's
/// overlayfs and on the gofer + sentry, over identical copies of the layers, and every answer must
/// match errno-exactly (but for <see cref="KnownDifferences"/>), the final tree included.
/// </summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class KernelDifferentialTests(PublishedGofer gofer)
{
    [Theory]
    [MemberData(nameof(RandomCases.Seeds), MemberType = typeof(RandomCases))]
    public Task A_random_script_on_random_layers_answers_as_the_kernel_does(int seed) =>
        AssertAnswersAsTheKernel(RandomCases.ForSeed(seed, typeof(KernelDifferentialTests)));

    [Theory]
    [MemberData(nameof(Catalogue.All), MemberType = typeof(Catalogue))]
    public Task A_catalogue_rule_holds_as_in_the_kernel(string rule, OverlayFlavor flavor) =>
        AssertAnswersAsTheKernel(Catalogue.Case(rule, flavor, typeof(KernelDifferentialTests)));

    private async Task AssertAnswersAsTheKernel(DifferentialCase testCase)
    {
        using var run = await DifferentialRun.RunAsync(gofer.Binary, testCase);

        var report = OutputComparer.Compare(testCase, run.Kernel, run.Gofer);

        Assert.True(report is null, report);
    }
}
