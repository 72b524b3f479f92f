using Gofer.Server.Spec;

namespace Gofer.Sentry.Tests.Differential;

/// <summary>
/// The harness checked without `gofer exec`: generated layers, their copies and the kernel
/// runner must be deterministic, or a difference found by the differential tests could be the
/// harness's own. A stand-in executor lists the mount instead of running a script.
/// </summary>
public sealed class HarnessSelfCheckTests
{
    private static readonly Func<string, IReadOnlyList<string>> UserXattrListing = MountListing.Of(@"^user\.");

    [Theory]
    [MemberData(nameof(RandomCases.Seeds), MemberType = typeof(RandomCases))]
    public async Task Two_copies_of_a_generated_layer_set_look_the_same_on_disk_and_through_the_kernel(int seed)
    {
        var testCase = RandomCases.ForSeed(seed, typeof(HarnessSelfCheckTests));
        using var original = LayerSet.Create(testCase.Layers, testCase.Flavor);
        using var copy = original.Copy();

        // On disk, every namespace: the copy kept whiteouts, owners, hard links and trusted.* xattrs.
        var allXattrs = MountListing.Of("-");
        var originalFiles = await ScriptProcess.RunAsync(allXattrs(original.Root), "");
        var copiedFiles = await ScriptProcess.RunAsync(allXattrs(copy.Root), "");
        Assert.True(originalFiles.ExitCode == 0, originalFiles.Describe());
        Assert.Equal(originalFiles.Lines, copiedFiles.Lines);

        var first = await KernelOverlay.RunAsync(original, UserXattrListing, "");
        var second = await KernelOverlay.RunAsync(copy, UserXattrListing, "");
        Assert.True(first.ExitCode == 0, first.Describe());
        Assert.True(second.ExitCode == 0, second.Describe());
        Assert.NotEmpty(first.Lines);
        Assert.Equal(first.Lines, second.Lines);
    }

    [Theory]
    [MemberData(nameof(Catalogue.All), MemberType = typeof(Catalogue))]
    public async Task Every_catalogue_layer_set_mounts_with_the_kernel(string rule, OverlayFlavor flavor)
    {
        using var layers = LayerSet.Create(Catalogue.Case(rule, flavor, typeof(HarnessSelfCheckTests)).Layers, flavor);

        var listing = await KernelOverlay.RunAsync(layers, UserXattrListing, "");

        Assert.True(listing.ExitCode == 0, listing.Describe());
    }

    [Fact]
    public async Task Layer_paths_with_colons_commas_and_backslashes_are_escaped_in_the_options()
    {
        var spec = new LayerSetSpec([Layer.Of(LayerEntry.File("/top", "t")), Layer.Of(LayerEntry.File("/bottom", "b"))], Layer.Of(LayerEntry.File("/up", "u")));
        using var layers = LayerSet.Create(spec, OverlayFlavor.User, prefix: @"gofer-diff-a:b,c\d-");

        var listing = await KernelOverlay.RunAsync(layers, UserXattrListing, "");

        Assert.True(listing.ExitCode == 0, listing.Describe());
        Assert.Contains(listing.Lines, line => line.StartsWith("bottom f ", StringComparison.Ordinal));
        Assert.Contains(listing.Lines, line => line.StartsWith("top f ", StringComparison.Ordinal));
        Assert.Contains(listing.Lines, line => line.StartsWith("up f ", StringComparison.Ordinal));
    }

    [Fact]
    public void Escaping_protects_exactly_the_separators_and_the_escape_itself() =>
        Assert.Equal(@"/x\:y\,z\\w/v", OptionEscapes.Escape(@"/x:y,z\w/v"));
}
