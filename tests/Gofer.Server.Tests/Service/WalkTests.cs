using System.Text;
using Gofer.Native;
using Gofer.Protocol.V1;
using static Gofer.Server.Tests.Service.ClientShorthands;

namespace Gofer.Server.Tests.Service;

/// <summary>Walk: many components in one call, which handles it keeps, and why it stops.</summary>
public class WalkTests
{
    private const uint Upper = InProcessGofer.UpperId;

    [Fact]
    public async Task A_walk_of_many_components_returns_one_entry_and_handle_per_component()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        Directory.CreateDirectory(gofer.PathOf(Upper, "a", "b"));
        File.WriteAllText(gofer.PathOf(Upper, "a", "b", "c"), "c");
        var root = await gofer.Client.RootAsync(Upper);

        var walk = await gofer.Client.WalkAsync(new WalkRequest { Directory = root, Names = { Name("a"), Name("b"), Name("c") } });

        Assert.Equal(WalkStatus.Complete, walk.Status);
        Assert.Equal(0, walk.Errno);
        Assert.Equal(["a", "b", "c"], walk.Entries.Select(e => e.Name.ToStringUtf8()));
        Assert.Equal(
            [OnDisk.Lstat(gofer.PathOf(Upper, "a")).Inode, OnDisk.Lstat(gofer.PathOf(Upper, "a", "b")).Inode, OnDisk.Lstat(gofer.PathOf(Upper, "a", "b", "c")).Inode],
            walk.Entries.Select(e => e.Stat.Ino));
        Assert.Equal(3, walk.Entries.Select(e => e.Handle).Where(h => h != 0).Distinct().Count());
        foreach (var entry in walk.Entries)
        {
            var stat = await gofer.Client.StatAsync(new StatRequest { Handle = entry.Handle });
            Assert.Equal(entry.Stat.Ino, stat.Stat.Ino);
        }
    }

    [Fact]
    public async Task Handles_last_keeps_a_handle_for_the_last_component_only()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        Directory.CreateDirectory(gofer.PathOf(Upper, "a", "b", "c"));
        var root = await gofer.Client.RootAsync(Upper);

        var walk = await gofer.Client.WalkAsync(new WalkRequest { Directory = root, Names = { Name("a"), Name("b"), Name("c") }, Handles = WalkHandles.Last });

        Assert.Equal([0ul, 0ul, root + 1], walk.Entries.Select(e => e.Handle));
        Assert.Equal(root + 2, await gofer.Client.RootAsync(Upper));
    }

    [Fact]
    public async Task Handles_none_returns_stats_and_adds_no_handle()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        Directory.CreateDirectory(gofer.PathOf(Upper, "a", "b", "c"));
        var root = await gofer.Client.RootAsync(Upper);

        var walk = await gofer.Client.WalkAsync(new WalkRequest { Directory = root, Names = { Name("a"), Name("b"), Name("c") }, Handles = WalkHandles.None });

        Assert.Equal(WalkStatus.Complete, walk.Status);
        Assert.All(walk.Entries, e => Assert.Equal(0ul, e.Handle));
        Assert.Equal(OnDisk.Lstat(gofer.PathOf(Upper, "a", "b", "c")).Inode, walk.Entries[^1].Stat.Ino);
        var guessed = Enumerable.Range(1, 10).Select(i => root + (ulong)i).ToArray();
        var closed = await gofer.Client.CloseAsync(new CloseRequest { Handles = { guessed } });
        Assert.Equal(guessed, closed.Unknown);
        Assert.Equal(root + 1, await gofer.Client.RootAsync(Upper));
    }

    [Fact]
    public async Task A_missing_name_stops_the_walk_with_ENOENT_after_the_names_found()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        Directory.CreateDirectory(gofer.PathOf(Upper, "a"));
        var root = await gofer.Client.RootAsync(Upper);

        var walk = await gofer.Client.WalkAsync(new WalkRequest { Directory = root, Names = { Name("a"), Name("missing"), Name("x") } });

        Assert.Equal(WalkStatus.Stopped, walk.Status);
        Assert.Equal(Errno.ENOENT, walk.Errno);
        Assert.Equal(["a"], walk.Entries.Select(e => e.Name.ToStringUtf8()));
    }

    [Fact]
    public async Task A_file_in_the_middle_stops_the_walk_with_ENOTDIR()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "");
        var root = await gofer.Client.RootAsync(Upper);

        var walk = await gofer.Client.WalkAsync(new WalkRequest { Directory = root, Names = { Name("f"), Name("x") } });

        Assert.Equal(WalkStatus.Stopped, walk.Status);
        Assert.Equal(Errno.ENOTDIR, walk.Errno);
        Assert.Equal(["f"], walk.Entries.Select(e => e.Name.ToStringUtf8()));
    }

    [Theory]
    [InlineData("f")]
    [InlineData("link")]
    public async Task A_walk_from_a_handle_that_is_not_a_directory_stops_at_once_with_ENOTDIR(string start)
    {
        await using var gofer = await InProcessGofer.StartAsync();
        Directory.CreateDirectory(gofer.PathOf(Upper, "d"));
        File.WriteAllText(gofer.PathOf(Upper, "f"), "");
        File.CreateSymbolicLink(gofer.PathOf(Upper, "link"), "d");
        var file = await gofer.Client.LookupAsync(Upper, start);

        var walk = await gofer.Client.WalkAsync(new WalkRequest { Directory = file, Names = { Name("x") } });

        Assert.Equal(WalkStatus.Stopped, walk.Status);
        Assert.Equal(Errno.ENOTDIR, walk.Errno);
        Assert.Empty(walk.Entries);
    }

    [Fact]
    public async Task A_symlink_with_names_remaining_stops_the_walk_unfollowed()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        Directory.CreateDirectory(gofer.PathOf(Upper, "dir"));
        File.WriteAllText(gofer.PathOf(Upper, "dir", "x"), "");
        File.CreateSymbolicLink(gofer.PathOf(Upper, "link"), "dir");
        var root = await gofer.Client.RootAsync(Upper);

        var walk = await gofer.Client.WalkAsync(new WalkRequest { Directory = root, Names = { Name("link"), Name("x") } });

        Assert.Equal(WalkStatus.Symlink, walk.Status);
        Assert.Equal(0, walk.Errno);
        var entry = Assert.Single(walk.Entries);
        Assert.Equal(FileStatus.Symlink, entry.Stat.Mode & FileStatus.TypeMask);
        Assert.Equal(OnDisk.Lstat(gofer.PathOf(Upper, "link")).Inode, entry.Stat.Ino);
    }

    [Fact]
    public async Task A_walk_ending_at_a_symlink_is_complete()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.CreateSymbolicLink(gofer.PathOf(Upper, "link"), "anywhere");
        var root = await gofer.Client.RootAsync(Upper);

        var walk = await gofer.Client.WalkAsync(new WalkRequest { Directory = root, Names = { Name("link") } });

        Assert.Equal(WalkStatus.Complete, walk.Status);
        Assert.Equal(FileStatus.Symlink, Assert.Single(walk.Entries).Stat.Mode & FileStatus.TypeMask);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    public async Task A_walk_with_an_unknown_handles_mode_fails_with_EINVAL(int mode)
    {
        await using var gofer = await InProcessGofer.StartAsync();
        Directory.CreateDirectory(gofer.PathOf(Upper, "d"));
        var root = await gofer.Client.RootAsync(Upper);

        var failure = await CallFailure.Expect(Errno.EINVAL, () => gofer.Client.WalkAsync(new WalkRequest { Directory = root, Names = { Name("d") }, Handles = (WalkHandles)mode }));

        Assert.Equal($"walk \"handles {mode}\": EINVAL (Invalid argument)", failure.Message);
        Assert.Equal(root + 1, await gofer.Client.RootAsync(Upper));
    }

    [Fact]
    public async Task A_walk_of_no_names_is_complete_and_empty()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var root = await gofer.Client.RootAsync(Upper);

        var walk = await gofer.Client.WalkAsync(new WalkRequest { Directory = root });

        Assert.Equal(WalkStatus.Complete, walk.Status);
        Assert.Empty(walk.Entries);
    }

    [Fact]
    public async Task A_walk_reads_the_requested_xattrs_of_directories_only()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var dir = Directory.CreateDirectory(gofer.PathOf(Upper, "d")).FullName;
        var file = gofer.PathOf(Upper, "d", "f");
        File.WriteAllText(file, "");
        OnDisk.SetXattr(dir, "trusted.overlay.opaque", "y"u8.ToArray());
        OnDisk.SetXattr(dir, "user.note", "dir"u8.ToArray());
        OnDisk.SetXattr(file, "user.note", "file"u8.ToArray());
        var root = await gofer.Client.RootAsync(Upper);

        var walk = await gofer.Client.WalkAsync(new WalkRequest
        {
            Directory = root,
            Names = { Name("d"), Name("f") },
            Xattrs = { "trusted.overlay.opaque", "user.absent", "user.note" },
        });

        Assert.Equal(
            [("trusted.overlay.opaque", "y"), ("user.note", "dir")],
            walk.Entries[0].Xattrs.Select(x => (x.Name, x.Value.ToStringUtf8())));
        Assert.Empty(walk.Entries[1].Xattrs);
    }

    [Fact]
    public async Task A_walk_returns_a_long_xattr_value_whole()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var dir = Directory.CreateDirectory(gofer.PathOf(Upper, "d")).FullName;
        var redirect = Encoding.UTF8.GetBytes("/" + string.Join('/', Enumerable.Repeat("a-long-directory-name", 90)));
        OnDisk.SetXattr(dir, "trusted.overlay.redirect", redirect);
        var root = await gofer.Client.RootAsync(Upper);

        var walk = await gofer.Client.WalkAsync(new WalkRequest { Directory = root, Names = { Name("d") }, Xattrs = { "trusted.overlay.redirect" } });

        Assert.Equal(redirect, Assert.Single(walk.Entries[0].Xattrs).Value.ToByteArray());
    }

    [Theory]
    [InlineData(InProcessGofer.UpperId, "security.selinux", Errno.EOPNOTSUPP)]
    [InlineData(InProcessGofer.UpperId, "trusted.other", Errno.EPERM)]
    [InlineData(InProcessGofer.BindId, "trusted.overlay.opaque", Errno.EPERM)]
    public async Task A_walk_asking_for_a_forbidden_xattr_fails_whole(uint layer, string xattr, int errno)
    {
        await using var gofer = await InProcessGofer.StartAsync();
        Directory.CreateDirectory(gofer.PathOf(layer, "d"));
        var root = await gofer.Client.RootAsync(layer);

        var failure = await CallFailure.Expect(errno, () => gofer.Client.WalkAsync(new WalkRequest { Directory = root, Names = { Name("d") }, Xattrs = { xattr } }));

        Assert.Contains($"walk \"{xattr}\"", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_walk_finds_names_in_read_only_lower_layers()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        Directory.CreateDirectory(gofer.PathOf(InProcessGofer.Lower1Id, "etc"));
        File.WriteAllText(gofer.PathOf(InProcessGofer.Lower1Id, "etc", "hosts"), "lower1");
        var root = await gofer.Client.RootAsync(InProcessGofer.Lower1Id);

        var walk = await gofer.Client.WalkAsync(new WalkRequest { Directory = root, Names = { Name("etc"), Name("hosts") } });

        Assert.Equal(WalkStatus.Complete, walk.Status);
        Assert.Equal(6, walk.Entries[^1].Stat.Size);
    }
}
