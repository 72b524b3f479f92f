using Gofer.Server.Tests.EndToEnd;

namespace Gofer.Fuse.Tests;

/// <summary>What the sentry behind a mount keeps, and for how long.</summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class CacheTests(PublishedGofer gofer)
{
    [Fact]
    public async Task Names_the_kernel_forgets_leave_the_sentry_cache()
    {
        await using var overlay = await MountedOverlay.StartAsync(gofer);
        var dir = Directory.CreateDirectory(overlay.Path("many")).FullName;
        for (var i = 0; i < 300; i++)
        {
            File.WriteAllText(Path.Combine(dir, $"f{i}"), "");
        }

        var cached = overlay.CachedNames;
        Assert.True(cached > 300, $"{cached} names cached after making 300");

        // Dentries and inodes dropped: the kernel sends FORGET for every node it held.
        File.WriteAllText("/proc/sys/vm/drop_caches", "2");
        for (var i = 0; i < 100 && overlay.CachedNames > cached - 300; i++)
        {
            await Task.Delay(50);
        }

        Assert.True(overlay.CachedNames <= cached - 300, $"{overlay.CachedNames} names still cached of {cached}");
        Assert.Equal(300, Directory.GetFiles(dir).Length);
    }

    [Fact]
    public async Task Past_its_node_cap_the_front_has_the_kernel_drop_old_names_and_serves_them_again_when_asked()
    {
        const int Cap = 200;
        const int Files = 2_000;
        await using var overlay = await MountedOverlay.StartAsync(gofer, maxNodes: Cap);
        var dir = Directory.CreateDirectory(overlay.Path("many")).FullName;
        for (var i = 0; i < Files; i++)
        {
            File.WriteAllText(Path.Combine(dir, $"f{i}"), new string('x', i % 97));
        }

        // The kernel drops names as it is asked, between requests: stat goes on meanwhile.
        var peak = 0;
        for (var pass = 0; pass < 3; pass++)
        {
            for (var i = 0; i < Files; i++)
            {
                Assert.Equal(i % 97, new FileInfo(Path.Combine(dir, $"f{i}")).Length);
                peak = Math.Max(peak, overlay.Mount.NodeCount);
            }
        }

        // The kernel drops names when asked, from another thread, and FORGETs them after: the table
        // runs ahead of its cap while the walk goes on (by how much depends on the machine's load),
        // and comes back within a check's worth of requests of it once the kernel has caught up.
        var settled = overlay.Mount.NodeCount;
        for (var i = 0; i < 200 && settled > Cap + 300; i++)
        {
            _ = new FileInfo(Path.Combine(dir, $"f{i % Files}")).Length;
            await Task.Delay(50);
            settled = overlay.Mount.NodeCount;
        }

        Assert.True(settled <= Cap + 300, $"the front holds {settled} nodes with a cap of {Cap} (peak {peak} during the walk)");
        Assert.True(overlay.CachedNames <= Cap + 300, $"the sentry caches {overlay.CachedNames} names behind a front capped at {Cap}");
        Assert.Equal(Files, Directory.GetFiles(dir).Length);
    }
}
