using Gofer.Native;
using Gofer.Protocol.V1;
using Google.Protobuf;
using static Gofer.Server.Tests.Service.ClientShorthands;

namespace Gofer.Server.Tests.Service;

/// <summary>ReadDir: names as bytes, types, stats and batching.</summary>
public class ReadDirTests
{
    private const uint Upper = InProcessGofer.UpperId;

    // d_type values (dirent.h).
    private const uint DtFifo = 1, DtChr = 2, DtDir = 4, DtBlk = 6, DtReg = 8, DtLnk = 10, DtSock = 12;

    [Fact]
    public async Task ReadDir_lists_every_name_with_its_type_and_inode_and_never_dot_or_dotdot()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        MakeOneOfEach(gofer);
        var root = await gofer.Client.RootAsync(Upper);

        var entries = await gofer.Client.ListAsync(root);

        Assert.Equal(
            new Dictionary<string, uint> { ["file"] = DtReg, ["dir"] = DtDir, ["link"] = DtLnk, ["pipe"] = DtFifo, ["whiteout"] = DtChr, ["block"] = DtBlk, ["socket"] = DtSock },
            entries.ToDictionary(e => e.Key, e => e.Value.Type));
        Assert.All(entries, e => Assert.Equal(OnDisk.Lstat(gofer.PathOf(Upper, e.Key)).Inode, e.Value.Ino));
        Assert.All(entries, e => Assert.Null(e.Value.Stat));
    }

    [Fact]
    public async Task ReadDir_with_stat_gives_each_entry_its_lstat()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        MakeOneOfEach(gofer);
        var root = await gofer.Client.RootAsync(Upper);

        var entries = await gofer.Client.ListAsync(root, withStat: true);

        Assert.Equal(7, entries.Count);
        foreach (var (name, entry) in entries)
        {
            var disk = OnDisk.Lstat(gofer.PathOf(Upper, name));
            Assert.Equal((disk.Inode, disk.Mode, disk.Size, disk.RawDevice), (entry.Stat.Ino, entry.Stat.Mode, entry.Stat.Size, entry.Stat.Rdev));
        }

        Assert.Equal(FileStatus.Symlink, entries["link"].Stat.Mode & FileStatus.TypeMask);
        Assert.Equal(FileStatus.MakeDevice(7, 1), entries["block"].Stat.Rdev);
    }

    [Fact]
    public async Task ReadDir_sends_batches_of_the_size_asked()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var names = Enumerable.Range(0, 2500).Select(i => $"entry-{i:D4}").ToHashSet();
        foreach (var name in names)
        {
            File.WriteAllText(gofer.PathOf(Upper, name), "");
        }

        var root = await gofer.Client.RootAsync(Upper);

        var batches = await gofer.Client.ReadDirAsync(root, batchSize: 1000);
        Assert.Equal([1000, 1000, 500], batches.Select(b => b.Entries.Count));
        var listed = batches.SelectMany(b => b.Entries).Select(e => e.Name.ToStringUtf8()).ToList();
        Assert.Equal(names.Count, listed.Count);
        Assert.True(names.SetEquals(listed));

        Assert.Equal([1000, 1000, 500], (await gofer.Client.ReadDirAsync(root)).Select(b => b.Entries.Count));
        Assert.Equal(2500, (await gofer.Client.ReadDirAsync(root, batchSize: 1)).Count);
        Assert.Equal([2500], (await gofer.Client.ReadDirAsync(root, batchSize: 10_000)).Select(b => b.Entries.Count));
    }

    [Fact]
    public async Task ReadDir_of_an_empty_directory_sends_nothing()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var root = await gofer.Client.RootAsync(Upper);

        Assert.Empty(await gofer.Client.ReadDirAsync(root));
    }

    [Fact]
    public async Task ReadDir_with_a_batch_size_over_10000_fails_with_EINVAL()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var root = await gofer.Client.RootAsync(Upper);

        var failure = await CallFailure.Expect(Errno.EINVAL, () => gofer.Client.ReadDirAsync(root, batchSize: 10_001));

        Assert.Contains("readdir \"batch_size 10001\"", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadDir_of_a_file_fails_with_ENOTDIR()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "");
        var file = await gofer.Client.LookupAsync(Upper, "f");

        await CallFailure.Expect(Errno.ENOTDIR, () => gofer.Client.ReadDirAsync(file));
    }

    [Fact]
    public async Task ReadDir_lists_read_only_layers_and_open_directory_handles()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        Directory.CreateDirectory(gofer.PathOf(InProcessGofer.Lower0Id, "d"));
        File.WriteAllText(gofer.PathOf(InProcessGofer.Lower0Id, "d", "x"), "");
        var dir = await gofer.Client.OpenAsync(InProcessGofer.Lower0Id, "d", Syscalls.O_RDONLY | Syscalls.O_DIRECTORY);

        Assert.Equal(["x"], (await gofer.Client.ListAsync(dir)).Keys);
    }

    [Fact]
    public async Task Names_that_are_not_UTF8_travel_as_the_bytes_they_are()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        byte[][] names = [[0x66, 0xff], [0xc3, 0x28], [0x80]];
        foreach (var name in names)
        {
            OnDisk.Mknod([.. System.Text.Encoding.UTF8.GetBytes(gofer.Upper + "/"), .. name], FileStatus.Regular | Octal.Of("644"));
        }

        var root = await gofer.Client.RootAsync(Upper);

        var listed = (await gofer.Client.ReadDirAsync(root)).SelectMany(b => b.Entries).Select(e => e.Name.ToByteArray()).ToList();

        Assert.Equal(names.Select(Convert.ToHexString).Order(), listed.Select(Convert.ToHexString).Order());
        foreach (var name in names)
        {
            var walk = await gofer.Client.WalkAsync(new WalkRequest { Directory = root, Names = { ByteString.CopyFrom(name) } });
            Assert.Equal(WalkStatus.Complete, walk.Status);
            Assert.Equal(name, walk.Entries[0].Name.ToByteArray());

            // Removing them through the gofer also leaves nothing the temporary directory's cleanup cannot name.
            await gofer.Client.UnlinkAsync(new UnlinkRequest { Directory = root, Name = ByteString.CopyFrom(name) });
        }

        Assert.Empty(await gofer.Client.ReadDirAsync(root));
    }

    private static void MakeOneOfEach(InProcessGofer gofer)
    {
        File.WriteAllText(gofer.PathOf(Upper, "file"), "12345");
        Directory.CreateDirectory(gofer.PathOf(Upper, "dir"));
        File.CreateSymbolicLink(gofer.PathOf(Upper, "link"), "file");
        OnDisk.Mknod(gofer.PathOf(Upper, "pipe"), FileStatus.Fifo | Octal.Of("600"));
        OnDisk.Mknod(gofer.PathOf(Upper, "whiteout"), FileStatus.CharDevice);
        OnDisk.Mknod(gofer.PathOf(Upper, "block"), FileStatus.BlockDevice | Octal.Of("600"), 7, 1);
        OnDisk.Mknod(gofer.PathOf(Upper, "socket"), FileStatus.Socket | Octal.Of("777"));
    }
}
