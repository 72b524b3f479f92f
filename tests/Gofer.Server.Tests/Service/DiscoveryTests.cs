using Gofer.Native;
using Gofer.Protocol.V1;

namespace Gofer.Server.Tests.Service;

/// <summary>ListMounts, Attach and Stat: what a client learns before it looks anything up.</summary>
public class DiscoveryTests
{
    [Fact]
    public async Task ListMounts_describes_every_mount_and_layer_of_the_plan()
    {
        await using var gofer = await InProcessGofer.StartAsync();

        var mounts = (await gofer.Client.ListMountsAsync(new ListMountsRequest())).Mounts;

        Assert.Equal(2, mounts.Count);
        var overlay = mounts[0];
        Assert.Equal("/data", overlay.Destination);
        Assert.Equal(MountKind.Overlay, overlay.Kind);
        Assert.Equal("trusted.overlay.", overlay.Overlay.XattrPrefix);
        Assert.False(overlay.Overlay.Userxattr);
        Assert.Equal("off", overlay.Overlay.RedirectDir);
        Assert.False(overlay.Overlay.ReadOnly);
        Assert.Equal(
            [(InProcessGofer.Lower0Id, LayerRole.Lower, 0u, true), (InProcessGofer.Lower1Id, LayerRole.Lower, 1u, true),
             (InProcessGofer.UpperId, LayerRole.Upper, 0u, false), (InProcessGofer.WorkId, LayerRole.Work, 0u, false)],
            overlay.Layers.Select(l => (l.Id, l.Role, l.Index, l.ReadOnly)));

        var bind = mounts[1];
        Assert.Equal("/bind", bind.Destination);
        Assert.Equal(MountKind.Bind, bind.Kind);
        Assert.Equal(["rbind"], bind.Options);
        Assert.Null(bind.Overlay);
        Assert.Equal([(InProcessGofer.BindId, LayerRole.Bind, 0u, false)], bind.Layers.Select(l => (l.Id, l.Role, l.Index, l.ReadOnly)));
    }

    [Theory]
    [InlineData(InProcessGofer.Lower0Id)]
    [InlineData(InProcessGofer.Lower1Id)]
    [InlineData(InProcessGofer.UpperId)]
    [InlineData(InProcessGofer.WorkId)]
    [InlineData(InProcessGofer.BindId)]
    public async Task Attach_gives_a_handle_on_the_layer_root(uint layer)
    {
        await using var gofer = await InProcessGofer.StartAsync();

        var attached = await gofer.Client.AttachAsync(new AttachRequest { Layer = layer });

        Assert.NotEqual(0ul, attached.Handle);
        Assert.Equal(OnDisk.Lstat(gofer.PathOf(layer)).Inode, attached.Stat.Ino);
        Assert.Equal(FileStatus.Directory, attached.Stat.Mode & FileStatus.TypeMask);
        var stat = await gofer.Client.StatAsync(new StatRequest { Handle = attached.Handle });
        Assert.Equal(attached.Stat.Ino, stat.Stat.Ino);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(99u)]
    [InlineData(uint.MaxValue)]
    public async Task Attach_of_an_unknown_layer_fails_with_EINVAL_naming_it(uint layer)
    {
        await using var gofer = await InProcessGofer.StartAsync();

        var failure = await CallFailure.Expect(Errno.EINVAL, () => gofer.Client.AttachAsync(new AttachRequest { Layer = layer }));

        Assert.Contains($"attach \"layer {layer}\"", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stat_reports_what_lstat_reports_on_disk()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var path = gofer.PathOf(InProcessGofer.UpperId, "f");
        File.WriteAllText(path, "hello");
        OnDisk.Chmod(path, Octal.Of("640"));
        File.SetLastWriteTimeUtc(path, new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc).AddTicks(1234567));
        var handle = await gofer.Client.LookupAsync(InProcessGofer.UpperId, "f");

        var stat = (await gofer.Client.StatAsync(new StatRequest { Handle = handle })).Stat;

        var disk = OnDisk.Lstat(path);
        Assert.Equal(disk.Device, stat.Dev);
        Assert.Equal(disk.Inode, stat.Ino);
        Assert.Equal(FileStatus.Regular | Octal.Of("640"), stat.Mode);
        Assert.Equal(1u, stat.Nlink);
        Assert.Equal(disk.Uid, stat.Uid);
        Assert.Equal(disk.Gid, stat.Gid);
        Assert.Equal(5, stat.Size);
        Assert.Equal(disk.Blocks, stat.Blocks);
        Assert.Equal((disk.ModifySeconds, disk.ModifyNanoseconds), (stat.Mtime.Sec, stat.Mtime.Nsec));
        Assert.Equal(123456700u, stat.Mtime.Nsec);
        Assert.Equal((disk.ChangeSeconds, disk.ChangeNanoseconds), (stat.Ctime.Sec, stat.Ctime.Nsec));
    }

    [Fact]
    public async Task Stat_of_a_symlink_describes_the_link_not_its_target()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        Directory.CreateDirectory(gofer.PathOf(InProcessGofer.UpperId, "dir"));
        File.CreateSymbolicLink(gofer.PathOf(InProcessGofer.UpperId, "link"), "dir");
        var handle = await gofer.Client.LookupAsync(InProcessGofer.UpperId, "link");

        var stat = (await gofer.Client.StatAsync(new StatRequest { Handle = handle })).Stat;

        Assert.Equal(FileStatus.Symlink, stat.Mode & FileStatus.TypeMask);
        Assert.Equal(OnDisk.Lstat(gofer.PathOf(InProcessGofer.UpperId, "link")).Inode, stat.Ino);
        Assert.Equal(3, stat.Size);
    }
}
