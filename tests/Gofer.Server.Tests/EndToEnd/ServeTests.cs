using Gofer.Protocol.V1;
using Gofer.Sentry.Launch;
using Google.Protobuf;

namespace Gofer.Server.Tests.EndToEnd;

/// <summary>`gofer serve` as a runtime runs it: the published binary, as root, on a bundle with an overlay.</summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class ServeTests(PublishedGofer gofer)
{
    [Fact]
    public async Task Serves_every_layer_of_an_overlay_with_an_escaped_colon_and_relative_paths()
    {
        using var bundle = new OverlayBundle();
        await using var process = await GoferServerProcess.StartAsync(gofer.Binary, bundle.Path, bundle.Directory.Combine("gofer.sock"));
        var client = new FileService.FileServiceClient(process.Connect());

        var mounts = (await client.ListMountsAsync(new ListMountsRequest())).Mounts;
        Assert.Equal(["/", "/data", "/shared"], mounts.Select(m => m.Destination));
        var overlay = mounts[1];
        Assert.Equal(Protocol.V1.MountKind.Overlay, overlay.Kind);
        Assert.Equal("trusted.overlay.", overlay.Overlay.XattrPrefix);
        Assert.Equal(
            [Protocol.V1.LayerRole.Lower, Protocol.V1.LayerRole.Lower, Protocol.V1.LayerRole.Upper, Protocol.V1.LayerRole.Work],
            overlay.Layers.Select(l => l.Role));

        Assert.Equal("top\n", await ReadFile(client, overlay.Layers[0].Id, "top.txt"));
        Assert.Equal("base\n", await ReadFile(client, overlay.Layers[1].Id, "dir", "base.txt"));
        Assert.Equal("container\n", await ReadFile(client, mounts[0].Layers[0].Id, "etc", "hostname"));
        Assert.Equal("shared\n", await ReadFile(client, mounts[2].Layers[0].Id, "shared.txt"));
    }

    [Fact]
    public async Task Stages_layers_in_a_private_namespace_with_read_only_lowers()
    {
        using var bundle = new OverlayBundle();
        var hostMounts = File.ReadAllText("/proc/self/mountinfo");
        await using var process = await GoferServerProcess.StartAsync(gofer.Binary, bundle.Path, bundle.Directory.Combine("gofer.sock"));

        Assert.NotEqual(new FileInfo("/proc/self/ns/mnt").LinkTarget, new FileInfo($"/proc/{process.Pid}/ns/mnt").LinkTarget);
        var staged = MountInfo.Read(process.Pid).ToDictionary(m => m.MountPoint);
        foreach (var lower in new[] { "/m1/lower0", "/m1/lower1", "/m0/root", "/m2/bind" })
        {
            Assert.Contains("ro", staged[lower].Options);
        }

        foreach (var writable in new[] { "/m1/upper", "/m1/work" })
        {
            Assert.Contains("rw", staged[writable].Options);
        }

        foreach (var layer in new[] { "/m1/lower0", "/m1/lower1", "/m1/upper", "/m1/work", "/m0/root", "/m2/bind" })
        {
            Assert.Contains("nosuid", staged[layer].Options);
            Assert.Contains("nodev", staged[layer].Options);
        }

        // The root is the staging tmpfs; nothing of the host's tree is mounted in the gofer's view
        // but the layers, its fd table, and the files its serving image was exec'd from (its
        // binary, loader and libraries: each mapped by it, each a read-only single-file bind).
        Assert.Equal("tmpfs", staged["/"].FilesystemType);
        var mapped = File.ReadAllLines($"/proc/{process.Pid}/maps").Select(l => l.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length == 6 && f[5].StartsWith('/')).Select(f => f[5]).ToHashSet();
        string[] expected = ["m0", "m1", "m2", "proc", "dev", .. mapped.Select(p => p.Split('/')[1])];
        Assert.Equal(expected.Distinct().Order(), Directory.GetFileSystemEntries($"/proc/{process.Pid}/root").Select(Path.GetFileName).Order());
        var startFiles = staged.Keys.Where(p => !p.StartsWith("/m", StringComparison.Ordinal) && p is not "/" and not "/proc/self/fd" and not "/dev/urandom").ToList();
        Assert.Subset(startFiles.ToHashSet(), mapped);
        foreach (var file in startFiles)
        {
            Assert.Contains("ro", staged[file].Options);
            Assert.Contains("nosuid", staged[file].Options);
            Assert.Contains("nodev", staged[file].Options);
        }

        // The one device: the runtime's source of secure random bytes.
        Assert.Contains("ro", staged["/dev/urandom"].Options);
        Assert.Contains("noexec", staged["/dev/urandom"].Options);

        Assert.DoesNotContain(staged.Keys, p => p.StartsWith(bundle.Path, StringComparison.Ordinal));

        // And nothing of the gofer's reached the host.
        Assert.Equal(hostMounts, File.ReadAllText("/proc/self/mountinfo"));
    }

    [Fact]
    public async Task Makes_whiteouts_and_opaque_directories_on_the_upper_and_cleans_up_on_SIGTERM()
    {
        using var bundle = new OverlayBundle();
        var hostMounts = File.ReadAllText("/proc/self/mountinfo");
        var socket = bundle.Directory.Combine("gofer.sock");
        await using var process = await GoferServerProcess.StartAsync(gofer.Binary, bundle.Path, socket);
        Assert.Equal("600", Tool.Check("stat", "-c", "%a", socket).Trim());
        var client = new FileService.FileServiceClient(process.Connect());
        var upper = (await client.ListMountsAsync(new ListMountsRequest())).Mounts[1].Layers[2];
        var root = await client.AttachAsync(new AttachRequest { Layer = upper.Id });

        await client.MknodAsync(new MknodRequest { Directory = root.Handle, Name = ByteString.CopyFromUtf8("gone"), Mode = 0x2000 });
        var dir = await client.MkdirAsync(new MkdirRequest { Directory = root.Handle, Name = ByteString.CopyFromUtf8("dir"), Mode = 0x1ED });
        await client.SetXattrAsync(new SetXattrRequest { Handle = dir.Handle, Name = "trusted.overlay.opaque", Value = ByteString.CopyFromUtf8("y") });

        Assert.Equal("character special file 0,0", Tool.Check("stat", "-c", "%F %Hr,%Lr", Path.Combine(bundle.Upper, "gone")).Trim());
        Assert.Equal("y", Tool.Check("getfattr", "--only-values", "-n", "trusted.overlay.opaque", Path.Combine(bundle.Upper, "dir")));

        var (exit, _) = await process.TerminateAsync();
        Assert.Equal(0, exit);
        Assert.False(File.Exists(socket));
        Assert.Equal(hostMounts, File.ReadAllText("/proc/self/mountinfo"));
    }

    private static async Task<string> ReadFile(Protocol.V1.FileService.FileServiceClient client, uint layer, params string[] path)
    {
        var root = await client.AttachAsync(new AttachRequest { Layer = layer });
        var walk = await client.WalkAsync(new WalkRequest { Directory = root.Handle, Names = { path.Select(ByteString.CopyFromUtf8) }, Handles = WalkHandles.Last });
        Assert.Equal(WalkStatus.Complete, walk.Status);
        var open = await client.OpenAsync(new OpenRequest { Handle = walk.Entries[^1].Handle });
        return (await client.ReadAsync(new ReadRequest { Handle = open.Handle, Length = 4096 })).Data.ToStringUtf8();
    }
}
