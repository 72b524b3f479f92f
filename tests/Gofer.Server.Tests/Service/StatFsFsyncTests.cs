using Gofer.Native;
using Gofer.Protocol.V1;

namespace Gofer.Server.Tests.Service;

/// <summary>StatFs of the filesystem under a layer, and Fsync of open handles.</summary>
public class StatFsFsyncTests
{
    private const uint Upper = InProcessGofer.UpperId;

    [Theory]
    [InlineData(InProcessGofer.Lower0Id)]
    [InlineData(InProcessGofer.UpperId)]
    [InlineData(InProcessGofer.BindId)]
    public async Task StatFs_reports_what_statfs_reports_on_disk(uint layer)
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(layer, "f"), "");
        var file = await gofer.Client.LookupAsync(layer, "f");

        var statfs = await gofer.Client.StatFsAsync(new StatFsRequest { Handle = file });

        var disk = OnDisk.StatFs(gofer.PathOf(layer, "f"));
        Assert.Equal(
            ((ulong)disk.Type, (ulong)disk.BlockSize, disk.Blocks, disk.Files, (ulong)disk.NameMax, (ulong)disk.FragmentSize),
            (statfs.Type, statfs.BlockSize, statfs.Blocks, statfs.Files, statfs.NameMax, statfs.FragmentSize));
        Assert.Equal(255ul, statfs.NameMax);
        Assert.InRange(statfs.BlocksAvailable, 0ul, statfs.BlocksFree);
        Assert.InRange(statfs.BlocksFree, 0ul, statfs.Blocks);
    }

    [Fact]
    public async Task Fsync_and_fdatasync_flush_open_handles()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "");
        var writable = await gofer.Client.OpenAsync(Upper, "f", Syscalls.O_WRONLY);
        var readable = await gofer.Client.OpenAsync(Upper, "f", Syscalls.O_RDONLY);
        await gofer.Client.WriteAsync(new WriteRequest { Handle = writable, Data = ClientShorthands.Name("synced") });

        await gofer.Client.FsyncAsync(new FsyncRequest { Handle = writable });
        await gofer.Client.FsyncAsync(new FsyncRequest { Handle = writable, DataOnly = true });
        await gofer.Client.FsyncAsync(new FsyncRequest { Handle = readable });

        Assert.Equal("synced", File.ReadAllText(gofer.PathOf(Upper, "f")));
    }

    [Fact]
    public async Task Fsync_of_a_path_handle_or_an_unknown_one_fails_with_EBADF()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "");
        var path = await gofer.Client.LookupAsync(Upper, "f");

        var notOpen = await CallFailure.Expect(Errno.EBADF, () => gofer.Client.FsyncAsync(new FsyncRequest { Handle = path }));
        var unknown = await CallFailure.Expect(Errno.EBADF, () => gofer.Client.FsyncAsync(new FsyncRequest { Handle = path + 100 }));

        Assert.Equal($"fsync \"handle {path} (not open)\": EBADF (Bad file descriptor)", notOpen.Message);
        Assert.StartsWith("fsync", unknown.Message, StringComparison.Ordinal);
    }
}
