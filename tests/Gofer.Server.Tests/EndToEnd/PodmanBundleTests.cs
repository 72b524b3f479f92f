using System.Text;
using System.Text.Json.Nodes;
using Gofer.Protocol.V1;
using Gofer.Sentry.Composition;
using Gofer.Sentry.Launch;

namespace Gofer.Server.Tests.EndToEnd;

/// <summary>
/// The spec podman writes (tests/bundles/podman), served by the published gofer as it is, and as
/// rootless podman writes it (its overlay volume with <c>userxattr</c>).
/// </summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class PodmanBundleTests(PublishedGofer gofer)
{
    private const string OverlayContent = "userdata/overlay/3314998175";

    /// <summary>Served by the gofer: podman's binds, its overlay volume, and the rootfs.</summary>
    private static readonly (string Destination, MountKind Kind)[] Served =
    [
        ("/", MountKind.Rootfs), ("/data", MountKind.Overlay), ("/data2", MountKind.Bind), ("/dev/shm", MountKind.Bind),
        ("/etc/resolv.conf", MountKind.Bind), ("/etc/hosts", MountKind.Bind), ("/run/.containerenv", MountKind.Bind),
        ("/etc/hostname", MountKind.Bind),
    ];

    /// <summary>Kernel-made filesystems the sandbox provides, as check lists them.</summary>
    private static readonly string[] Skipped =
    [
        "skipped \"/sys\" sysfs", "skipped \"/proc\" proc", "skipped \"/dev\" tmpfs", "skipped \"/dev/mqueue\" mqueue",
        "skipped \"/dev/pts\" devpts", "skipped \"/sys/fs/cgroup\" cgroup",
    ];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Podmans_spec_checks_clean_serves_every_mount_and_reads_right(bool rootless)
    {
        using var bundle = CopyBundle(rootless);

        var (exit, plan, stderr) = Tool.Run(gofer.Binary, "check", "--bundle", bundle.Path);
        Assert.Equal((0, ""), (exit, stderr));
        Assert.Contains("problems: none", plan, StringComparison.Ordinal);
        Assert.Equal(Skipped, plan.Split('\n').Where(l => l.StartsWith("skipped ", StringComparison.Ordinal)));

        await using var process = await GoferServerProcess.StartAsync(gofer.Binary, bundle.Path, bundle.Combine("gofer.sock"));
        var client = new FileService.FileServiceClient(process.Connect());
        var mounts = (await client.ListMountsAsync(new ListMountsRequest())).Mounts;
        Assert.Equal(Served, mounts.Select(m => (m.Destination, m.Kind)));
        var data = mounts.Single(m => m.Destination == "/data");
        Assert.Equal((rootless, rootless ? "user.overlay." : "trusted.overlay."), (data.Overlay.Userxattr, data.Overlay.XattrPrefix));
        Assert.Equal([LayerRole.Lower, LayerRole.Upper, LayerRole.Work], data.Layers.Select(l => l.Role));
        Assert.True(mounts.Single(m => m.Destination == "/data2").Layers.Single().ReadOnly);
        Assert.False(mounts.Single(m => m.Destination == "/etc/hosts").Layers.Single().ReadOnly);
        Assert.Equal(["bind", "rprivate"], mounts.Single(m => m.Destination == "/etc/hosts").Options);

        foreach (var (destination, file) in new[] { ("/etc/hosts", "hosts"), ("/etc/resolv.conf", "resolv.conf"), ("/etc/hostname", "hostname"), ("/run/.containerenv", ".containerenv") })
        {
            using var view = SentryMounts.Open(process.SocketPath, destination);
            Assert.Equal(File.ReadAllBytes(bundle.Combine("userdata", file)), view.Read("/", 0, -1));
        }

        using (var volume = SentryMounts.Open(process.SocketPath, "/data"))
        {
            Assert.Equal("volume\n", Encoding.UTF8.GetString(volume.Read("/v.txt", 0, -1)));
            volume.Write("/v.txt", 0, "VOLUME"u8);
            Assert.Equal("VOLUME\n", Encoding.UTF8.GetString(volume.Read("/v.txt", 0, -1)));
        }

        // The overlay volume keeps writes off the host directory: they land in podman's upper.
        Assert.Equal("volume\n", File.ReadAllText(bundle.Combine("volumes", "vol", "v.txt")));
        Assert.Equal("VOLUME\n", File.ReadAllText(bundle.Combine(OverlayContent, "upper", "v.txt")));

        using (var readOnly = SentryMounts.Open(process.SocketPath, "/data2"))
        {
            Assert.Equal("two\n", Encoding.UTF8.GetString(readOnly.Read("/w.txt", 0, -1)));
        }

        var (status, _) = await process.TerminateAsync();
        Assert.Equal(0, status);
    }

    /// <summary>A copy of the fixture with the directories podman would have made; rootless, the overlay volume has <c>userxattr</c> as rootless podman writes it.</summary>
    private static TempDirectory CopyBundle(bool rootless)
    {
        var copy = new TempDirectory("gofer-podman-");
        Tool.Check("cp", "-a", Path.Combine(PublishedGofer.Repository, "tests", "bundles", "podman", "."), copy.Path);
        foreach (var directory in new[] { "userdata/shm", $"{OverlayContent}/upper", $"{OverlayContent}/work", $"{OverlayContent}/merge" })
        {
            copy.Make(directory.Split('/'));
        }

        if (rootless)
        {
            var config = JsonNode.Parse(File.ReadAllText(copy.Combine("config.json")))!;
            var data = config["mounts"]!.AsArray().Single(m => (string?)m!["destination"] == "/data")!;
            data["options"]!.AsArray().Add("userxattr");
            File.WriteAllText(copy.Combine("config.json"), config.ToJsonString());
        }

        return copy;
    }
}
