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
}
