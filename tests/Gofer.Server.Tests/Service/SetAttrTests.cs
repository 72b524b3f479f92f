using Gofer.Native;
using Gofer.Protocol.V1;
using static Gofer.Server.Tests.Service.ClientShorthands;

namespace Gofer.Server.Tests.Service;

/// <summary>SetAttr: each part on its own, and a failure part-way that says which part and keeps the earlier ones.</summary>
public class SetAttrTests
{
    private const uint Upper = InProcessGofer.UpperId;

    [Fact]
    public async Task Size_truncates_and_extends_a_file()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "0123456789");
        var file = await gofer.Client.LookupAsync(Upper, "f");

        var shrunk = await gofer.Client.SetAttrAsync(new SetAttrRequest { Handle = file, Size = 4 });
        Assert.Equal(("0123", 4L), (File.ReadAllText(gofer.PathOf(Upper, "f")), shrunk.Stat.Size));

        await gofer.Client.SetAttrAsync(new SetAttrRequest { Handle = file, Size = 6 });
        Assert.Equal("0123\0\0"u8.ToArray(), File.ReadAllBytes(gofer.PathOf(Upper, "f")));
    }

    [Fact]
    public async Task Size_through_an_open_handle_truncates_that_file()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "0123456789");
        var file = await gofer.Client.OpenAsync(Upper, "f", Syscalls.O_RDWR);

        await gofer.Client.SetAttrAsync(new SetAttrRequest { Handle = file, Size = 2 });

        Assert.Equal("01", File.ReadAllText(gofer.PathOf(Upper, "f")));
    }

    [Theory]
    [InlineData("600")]
    [InlineData("777")]
    [InlineData("4755")]
    [InlineData("7777")]
    public async Task Mode_is_set_exactly(string mode)
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "");
        var file = await gofer.Client.LookupAsync(Upper, "f");

        var set = await gofer.Client.SetAttrAsync(new SetAttrRequest { Handle = file, Mode = Octal.Of(mode) });

        Assert.Equal(FileStatus.Regular | Octal.Of(mode), OnDisk.Lstat(gofer.PathOf(Upper, "f")).Mode);
        Assert.Equal(FileStatus.Regular | Octal.Of(mode), set.Stat.Mode);
    }

    [Fact]
    public async Task Owner_sets_uid_and_gid_each_alone_or_both()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "");
        var file = await gofer.Client.LookupAsync(Upper, "f");
        (uint, uint) Owner()
        {
            var disk = OnDisk.Lstat(gofer.PathOf(Upper, "f"));
            return (disk.Uid, disk.Gid);
        }

        await gofer.Client.SetAttrAsync(new SetAttrRequest { Handle = file, Uid = 100 });
        Assert.Equal((100u, 0u), Owner());
        await gofer.Client.SetAttrAsync(new SetAttrRequest { Handle = file, Gid = 200 });
        Assert.Equal((100u, 200u), Owner());
        await gofer.Client.SetAttrAsync(new SetAttrRequest { Handle = file, Uid = 300, Gid = 400 });
        Assert.Equal((300u, 400u), Owner());
    }

    [Fact]
    public async Task Times_are_set_to_the_nanosecond_each_alone_or_both()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "");
        var file = await gofer.Client.LookupAsync(Upper, "f");
        var before = OnDisk.Lstat(gofer.PathOf(Upper, "f"));

        await gofer.Client.SetAttrAsync(new SetAttrRequest { Handle = file, Mtime = new Timespec { Sec = 1_000_000_000, Nsec = 123_456_789 } });
        var afterMtime = OnDisk.Lstat(gofer.PathOf(Upper, "f"));
        Assert.Equal((1_000_000_000L, 123_456_789u), (afterMtime.ModifySeconds, afterMtime.ModifyNanoseconds));
        Assert.Equal((before.AccessSeconds, before.AccessNanoseconds), (afterMtime.AccessSeconds, afterMtime.AccessNanoseconds));

        await gofer.Client.SetAttrAsync(new SetAttrRequest { Handle = file, Atime = new Timespec { Sec = 5, Nsec = 6 }, Mtime = new Timespec { Sec = 7, Nsec = 8 } });
        var afterBoth = OnDisk.Lstat(gofer.PathOf(Upper, "f"));
        Assert.Equal((5L, 6u, 7L, 8u), (afterBoth.AccessSeconds, afterBoth.AccessNanoseconds, afterBoth.ModifySeconds, afterBoth.ModifyNanoseconds));
    }

    [Fact]
    public async Task On_a_symlink_owner_and_times_change_the_link_and_mode_is_refused()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var target = gofer.PathOf(Upper, "target");
        File.WriteAllText(target, "");
        File.CreateSymbolicLink(gofer.PathOf(Upper, "link"), "target");
        var link = await gofer.Client.LookupAsync(Upper, "link");
        var targetBefore = OnDisk.Lstat(target);

        await gofer.Client.SetAttrAsync(new SetAttrRequest { Handle = link, Uid = 42, Mtime = new Timespec { Sec = 12345 } });
        var failure = await CallFailure.Expect(Errno.EOPNOTSUPP, () => gofer.Client.SetAttrAsync(new SetAttrRequest { Handle = link, Mode = Octal.Of("600") }));

        var linkAfter = OnDisk.Lstat(gofer.PathOf(Upper, "link"));
        Assert.Equal((42u, 12345L), (linkAfter.Uid, linkAfter.ModifySeconds));
        Assert.Equal("mode", failure.FailedPart);
        Assert.Equal(targetBefore, OnDisk.Lstat(target));
    }

    [Fact]
    public async Task A_failing_part_is_named_and_the_parts_before_it_stay_applied()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "0123456789");
        OnDisk.Chmod(gofer.PathOf(Upper, "f"), Octal.Of("644"));
        var file = await gofer.Client.LookupAsync(Upper, "f");

        // size, then mode (bits outside 07777), which fails: the size stays, nothing after it happens.
        var mode = await CallFailure.Expect(Errno.EINVAL, () => gofer.Client.SetAttrAsync(new SetAttrRequest { Handle = file, Size = 3, Mode = 0x10000, Uid = 77 }));
        Assert.Equal("mode", mode.FailedPart);
        Assert.Equal("setattr (mode): EINVAL (Invalid argument)", mode.Message);
        var disk = OnDisk.Lstat(gofer.PathOf(Upper, "f"));
        Assert.Equal((3L, FileStatus.Regular | Octal.Of("644"), 0u), (disk.Size, disk.Mode, disk.Uid));

        // size, mode and owner, then times (nanoseconds out of range), which fails.
        var times = await CallFailure.Expect(Errno.EINVAL, () => gofer.Client.SetAttrAsync(new SetAttrRequest
        {
            Handle = file,
            Size = 1,
            Mode = Octal.Of("600"),
            Uid = 77,
            Gid = 88,
            Mtime = new Timespec { Sec = 1, Nsec = 1_000_000_000 },
        }));
        Assert.Equal("times", times.FailedPart);
        disk = OnDisk.Lstat(gofer.PathOf(Upper, "f"));
        Assert.Equal((1L, FileStatus.Regular | Octal.Of("600"), 77u, 88u), (disk.Size, disk.Mode, disk.Uid, disk.Gid));
        Assert.NotEqual(1L, disk.ModifySeconds);
    }

    [Fact]
    public async Task Size_of_a_directory_fails_with_EISDIR_and_a_negative_size_with_EINVAL()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        Directory.CreateDirectory(gofer.PathOf(Upper, "d"));
        File.WriteAllText(gofer.PathOf(Upper, "f"), "abc");
        var dir = await gofer.Client.LookupAsync(Upper, "d");
        var file = await gofer.Client.LookupAsync(Upper, "f");

        var isDirectory = await CallFailure.Expect(Errno.EISDIR, () => gofer.Client.SetAttrAsync(new SetAttrRequest { Handle = dir, Size = 0 }));
        var negative = await CallFailure.Expect(Errno.EINVAL, () => gofer.Client.SetAttrAsync(new SetAttrRequest { Handle = file, Size = -1 }));

        Assert.Equal(("size", "size"), (isDirectory.FailedPart, negative.FailedPart));
        Assert.Equal(3, new FileInfo(gofer.PathOf(Upper, "f")).Length);
    }

    [Fact]
    public async Task Nothing_to_change_returns_the_stat()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "abc");
        var file = await gofer.Client.LookupAsync(Upper, "f");

        var stat = (await gofer.Client.SetAttrAsync(new SetAttrRequest { Handle = file })).Stat;

        Assert.Equal((OnDisk.Lstat(gofer.PathOf(Upper, "f")).Inode, 3L), (stat.Ino, stat.Size));
    }
}
