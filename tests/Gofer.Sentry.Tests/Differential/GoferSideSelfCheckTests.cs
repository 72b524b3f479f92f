using Gofer.Sentry.Launch;
using Gofer.Server.Tests;
using Gofer.Server.Tests.EndToEnd;

namespace Gofer.Sentry.Tests.Differential;

/// <summary>The gofer side's plumbing, checked without `gofer exec`: the bundle it writes is one the gofer accepts and serves.</summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class GoferSideSelfCheckTests(PublishedGofer gofer)
{
    [Theory]
    [InlineData(OverlayFlavor.Trusted)]
    [InlineData(OverlayFlavor.User)]
    public async Task The_gofer_serves_the_bundle_written_for_a_generated_layer_set(OverlayFlavor flavor)
    {
        var spec = new LayerSetSpec(
            [Layer.Of(LayerEntry.Dir("/d", Opacity.Opaque), LayerEntry.Whiteout("/w")), Layer.Of(LayerEntry.File("/w", "w"))],
            Layer.Of(LayerEntry.File("/up", "u")));
        using var layers = LayerSet.Create(spec, flavor, prefix: @"gofer-diff-a:b,c\d-");
        using var bundle = new TempDirectory("gofer-diff-bundle-");
        GoferOverlay.WriteBundle(bundle.Path, layers);

        var (exit, plan, problems) = Tool.Run(gofer.Binary, "check", "--bundle", bundle.Path);

        Assert.True(exit == 0, plan + problems);
        Assert.Contains($"xattrs={OverlayXattrs.Prefix(flavor)}", plan, StringComparison.Ordinal);
        Assert.Equal(2, plan.Split('\n').Count(line => line.StartsWith("  layer ", StringComparison.Ordinal) && line.Contains(" lower ", StringComparison.Ordinal)));
        await using var server = await GoferServerProcess.StartAsync(gofer.Binary, bundle.Path, bundle.Combine("gofer.sock"));
        var (status, stderr) = await server.TerminateAsync();
        Assert.True(status == 0, stderr);
    }
}
