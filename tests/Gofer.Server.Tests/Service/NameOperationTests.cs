using Gofer.Native;
using Gofer.Protocol.V1;
using Google.Protobuf;
using static Gofer.Server.Tests.Service.ClientShorthands;

namespace Gofer.Server.Tests.Service;

/// <summary>Mkdir, Mknod, Symlink, Link, Readlink, Unlink and Rename, checked on disk.</summary>
public class NameOperationTests
{
    private const uint Upper = InProcessGofer.UpperId;

    [Theory]
    [InlineData("700")]
    [InlineData("755")]
    [InlineData("777")]
    [InlineData("1777")]
    public async Task Mkdir_makes_a_directory_with_exactly_the_mode_asked(string mode)
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var root = await gofer.Client.RootAsync(Upper);

        var made = await gofer.Client.MkdirAsync(new MkdirRequest { Directory = root, Name = Name("d"), Mode = Octal.Of(mode) });

        var disk = OnDisk.Lstat(gofer.PathOf(Upper, "d"));
        Assert.Equal(FileStatus.Directory | Octal.Of(mode), disk.Mode);
        Assert.Equal(disk.Mode, made.Stat.Mode);
        Assert.Equal(disk.Inode, made.Stat.Ino);
    }

    [Fact]
    public async Task Mkdir_gives_a_handle_on_the_new_directory_and_the_owner_asked()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var root = await gofer.Client.RootAsync(Upper);

        var made = await gofer.Client.MkdirAsync(new MkdirRequest { Directory = root, Name = Name("d"), Mode = Octal.Of("755"), Uid = 1000, Gid = 1001 });
        await gofer.Client.MkdirAsync(new MkdirRequest { Directory = made.Handle, Name = Name("inner"), Mode = Octal.Of("755") });

        var disk = OnDisk.Lstat(gofer.PathOf(Upper, "d"));
        Assert.Equal((1000u, 1001u), (disk.Uid, disk.Gid));
        Assert.True(OnDisk.Lstat(gofer.PathOf(Upper, "d", "inner")).IsDirectory);
    }

    [Fact]
    public async Task Mkdir_of_an_existing_name_fails_with_EEXIST_naming_it()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "taken"), "");
        var root = await gofer.Client.RootAsync(Upper);

        var failure = await CallFailure.Expect(Errno.EEXIST, () => gofer.Client.MkdirAsync(new MkdirRequest { Directory = root, Name = Name("taken"), Mode = Octal.Of("755") }));

        Assert.Equal("mkdir \"taken\": EEXIST (File exists)", failure.Message);
    }

    [Fact]
    public async Task Mknod_and_symlink_over_an_existing_name_fail_with_EEXIST()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "taken"), "kept");
        var root = await gofer.Client.RootAsync(Upper);

        var mknod = await CallFailure.Expect(Errno.EEXIST, () => gofer.Client.MknodAsync(new MknodRequest { Directory = root, Name = Name("taken"), Mode = FileStatus.Fifo | Octal.Of("644") }));
        var symlink = await CallFailure.Expect(Errno.EEXIST, () => gofer.Client.SymlinkAsync(new SymlinkRequest { Directory = root, Name = Name("taken"), Target = Name("elsewhere") }));

        Assert.StartsWith("mknod \"taken\"", mknod.Message, StringComparison.Ordinal);
        Assert.StartsWith("symlink \"taken\"", symlink.Message, StringComparison.Ordinal);
        Assert.Equal("kept", File.ReadAllText(gofer.PathOf(Upper, "taken")));
    }

    [Fact]
    public async Task Mkdir_in_a_file_handle_fails_with_ENOTDIR()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "");
        var file = await gofer.Client.LookupAsync(Upper, "f");

        await CallFailure.Expect(Errno.ENOTDIR, () => gofer.Client.MkdirAsync(new MkdirRequest { Directory = file, Name = Name("d"), Mode = Octal.Of("755") }));
    }

    [Theory]
    [InlineData(FileStatus.Regular, "640")]
    [InlineData(FileStatus.Regular, "666")]
    [InlineData(FileStatus.Fifo, "666")]
    [InlineData(FileStatus.Fifo, "620")]
    public async Task Mknod_makes_files_and_FIFOs_with_exactly_the_mode_asked(uint type, string mode)
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var root = await gofer.Client.RootAsync(Upper);

        var made = await gofer.Client.MknodAsync(new MknodRequest { Directory = root, Name = Name("n"), Mode = type | Octal.Of(mode), Uid = 7, Gid = 8 });

        var disk = OnDisk.Lstat(gofer.PathOf(Upper, "n"));
        Assert.Equal(type | Octal.Of(mode), disk.Mode);
        Assert.Equal((7u, 8u), (disk.Uid, disk.Gid));
        Assert.Equal(disk.Inode, made.Stat.Ino);
    }

    [Fact]
    public async Task Mknod_of_a_regular_file_with_a_device_number_fails_with_EINVAL()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var root = await gofer.Client.RootAsync(Upper);

        await CallFailure.Expect(Errno.EINVAL, () => gofer.Client.MknodAsync(new MknodRequest { Directory = root, Name = Name("n"), Mode = FileStatus.Regular | Octal.Of("644"), Rdev = 5 }));

        Assert.False(OnDisk.Exists(gofer.PathOf(Upper, "n")));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("../../../etc/passwd")]
    [InlineData("a name with spaces")]
    [InlineData("dangling")]
    public async Task Symlink_stores_the_target_exactly_as_given(string target)
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var root = await gofer.Client.RootAsync(Upper);

        var made = await gofer.Client.SymlinkAsync(new SymlinkRequest { Directory = root, Name = Name("link"), Target = Name(target) });

        Assert.Equal(target, new FileInfo(gofer.PathOf(Upper, "link")).LinkTarget);
        Assert.Equal(FileStatus.Symlink, made.Stat.Mode & FileStatus.TypeMask);
        Assert.Equal(target.Length, made.Stat.Size);
        Assert.Equal(target, (await gofer.Client.ReadlinkAsync(new ReadlinkRequest { Handle = made.Handle })).Target.ToStringUtf8());
    }

    [Fact]
    public async Task Symlink_targets_are_bytes_up_to_4095_of_them()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var root = await gofer.Client.RootAsync(Upper);
        var target = ByteString.CopyFrom([.. Enumerable.Repeat((byte)'a', 4093), 0xff, 0xfe]);

        var made = await gofer.Client.SymlinkAsync(new SymlinkRequest { Directory = root, Name = Name("link"), Target = target, Uid = 55, Gid = 66 });

        Assert.Equal(target, (await gofer.Client.ReadlinkAsync(new ReadlinkRequest { Handle = made.Handle })).Target);
        var disk = OnDisk.Lstat(gofer.PathOf(Upper, "link"));
        Assert.Equal((4095L, 55u, 66u), (disk.Size, disk.Uid, disk.Gid));
    }

    [Fact]
    public async Task Symlink_targets_that_are_empty_too_long_or_hold_a_NUL_are_refused()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var root = await gofer.Client.RootAsync(Upper);
        SymlinkRequest Link(ByteString target) => new() { Directory = root, Name = Name("link"), Target = target };

        await CallFailure.Expect(Errno.ENOENT, () => gofer.Client.SymlinkAsync(Link(ByteString.Empty)));
        await CallFailure.Expect(Errno.ENAMETOOLONG, () => gofer.Client.SymlinkAsync(Link(ByteString.CopyFrom(Enumerable.Repeat((byte)'a', 4096).ToArray()))));
        var failure = await CallFailure.Expect(Errno.EINVAL, () => gofer.Client.SymlinkAsync(Link(Name("a\0b"))));

        Assert.Equal("symlink \"link\": EINVAL (Invalid argument)", failure.Message);
        Assert.False(OnDisk.Exists(gofer.PathOf(Upper, "link")));
    }

    [Fact]
    public async Task Link_makes_a_second_name_for_the_same_file()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        Directory.CreateDirectory(gofer.PathOf(Upper, "d"));
        File.WriteAllText(gofer.PathOf(Upper, "f"), "shared");
        var file = await gofer.Client.LookupAsync(Upper, "f");
        var dir = await gofer.Client.LookupAsync(Upper, "d");

        var linked = await gofer.Client.LinkAsync(new LinkRequest { Target = file, Directory = dir, Name = Name("g") });

        var original = OnDisk.Lstat(gofer.PathOf(Upper, "f"));
        Assert.Equal(original.Inode, OnDisk.Lstat(gofer.PathOf(Upper, "d", "g")).Inode);
        Assert.Equal(2u, original.LinkCount);
        Assert.Equal((original.Inode, 2u), (linked.Stat.Ino, linked.Stat.Nlink));
    }

    [Fact]
    public async Task Link_of_a_symlink_links_the_symlink_itself_never_its_target()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var outside = gofer.Root.Combine("outside");
        File.WriteAllText(outside, "host file");
        File.CreateSymbolicLink(gofer.PathOf(Upper, "link"), outside);
        var link = await gofer.Client.LookupAsync(Upper, "link");
        var root = await gofer.Client.RootAsync(Upper);

        await gofer.Client.LinkAsync(new LinkRequest { Target = link, Directory = root, Name = Name("second") });

        var second = OnDisk.Lstat(gofer.PathOf(Upper, "second"));
        Assert.True(second.IsSymlink);
        Assert.Equal(OnDisk.Lstat(gofer.PathOf(Upper, "link")).Inode, second.Inode);
        Assert.Equal(1u, OnDisk.Lstat(outside).LinkCount);
    }

    [Fact]
    public async Task Link_of_a_directory_fails_with_EPERM()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        Directory.CreateDirectory(gofer.PathOf(Upper, "d"));
        var dir = await gofer.Client.LookupAsync(Upper, "d");
        var root = await gofer.Client.RootAsync(Upper);

        var failure = await CallFailure.Expect(Errno.EPERM, () => gofer.Client.LinkAsync(new LinkRequest { Target = dir, Directory = root, Name = Name("d2") }));

        Assert.StartsWith("link \"d2\"", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Link_to_an_existing_name_fails_with_EEXIST()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "");
        File.WriteAllText(gofer.PathOf(Upper, "g"), "");
        var file = await gofer.Client.LookupAsync(Upper, "f");
        var root = await gofer.Client.RootAsync(Upper);

        await CallFailure.Expect(Errno.EEXIST, () => gofer.Client.LinkAsync(new LinkRequest { Target = file, Directory = root, Name = Name("g") }));
    }

    [Theory]
    [InlineData(InProcessGofer.BindId)]
    [InlineData(InProcessGofer.WorkId)]
    public async Task Link_and_rename_across_layers_fail_with_EXDEV(uint otherLayer)
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "");
        var file = await gofer.Client.LookupAsync(Upper, "f");
        var upper = await gofer.Client.RootAsync(Upper);
        var other = await gofer.Client.RootAsync(otherLayer);

        var link = await CallFailure.Expect(Errno.EXDEV, () => gofer.Client.LinkAsync(new LinkRequest { Target = file, Directory = other, Name = Name("g") }));
        var rename = await CallFailure.Expect(Errno.EXDEV, () => gofer.Client.RenameAsync(new RenameRequest { OldDirectory = upper, OldName = Name("f"), NewDirectory = other, NewName = Name("g") }));

        Assert.StartsWith("link \"g\"", link.Message, StringComparison.Ordinal);
        Assert.StartsWith("rename \"f\"", rename.Message, StringComparison.Ordinal);
        Assert.True(OnDisk.Exists(gofer.PathOf(Upper, "f")));
        Assert.False(OnDisk.Exists(gofer.PathOf(otherLayer, "g")));
    }

    [Fact]
    public async Task Readlink_of_anything_but_a_symlink_fails_with_EINVAL()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "");
        var file = await gofer.Client.LookupAsync(Upper, "f");

        var failure = await CallFailure.Expect(Errno.EINVAL, () => gofer.Client.ReadlinkAsync(new ReadlinkRequest { Handle = file }));

        Assert.StartsWith("readlink", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unlink_removes_files_and_with_remove_directory_empty_directories()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "");
        Directory.CreateDirectory(gofer.PathOf(Upper, "d"));
        var root = await gofer.Client.RootAsync(Upper);

        await gofer.Client.UnlinkAsync(new UnlinkRequest { Directory = root, Name = Name("f") });
        await gofer.Client.UnlinkAsync(new UnlinkRequest { Directory = root, Name = Name("d"), RemoveDirectory = true });

        Assert.False(OnDisk.Exists(gofer.PathOf(Upper, "f")));
        Assert.False(OnDisk.Exists(gofer.PathOf(Upper, "d")));
    }

    [Fact]
    public async Task Unlink_failures_carry_the_errno_of_unlinkat()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "");
        Directory.CreateDirectory(gofer.PathOf(Upper, "d"));
        File.WriteAllText(gofer.PathOf(Upper, "d", "x"), "");
        var root = await gofer.Client.RootAsync(Upper);
        UnlinkRequest Unlink(string name, bool directory) => new() { Directory = root, Name = Name(name), RemoveDirectory = directory };

        var missing = await CallFailure.Expect(Errno.ENOENT, () => gofer.Client.UnlinkAsync(Unlink("missing", false)));
        var isDirectory = await CallFailure.Expect(Errno.EISDIR, () => gofer.Client.UnlinkAsync(Unlink("d", false)));
        var notDirectory = await CallFailure.Expect(Errno.ENOTDIR, () => gofer.Client.UnlinkAsync(Unlink("f", true)));
        var notEmpty = await CallFailure.Expect(Errno.ENOTEMPTY, () => gofer.Client.UnlinkAsync(Unlink("d", true)));

        Assert.Equal("unlink \"missing\": ENOENT (No such file or directory)", missing.Message);
        Assert.StartsWith("unlink \"d\"", isDirectory.Message, StringComparison.Ordinal);
        Assert.StartsWith("rmdir \"f\"", notDirectory.Message, StringComparison.Ordinal);
        Assert.StartsWith("rmdir \"d\"", notEmpty.Message, StringComparison.Ordinal);
        Assert.True(OnDisk.Exists(gofer.PathOf(Upper, "d", "x")));
    }

    [Fact]
    public async Task Rename_moves_a_name_between_directories_of_a_layer_replacing_the_new_name()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        Directory.CreateDirectory(gofer.PathOf(Upper, "d"));
        File.WriteAllText(gofer.PathOf(Upper, "f"), "moved");
        File.WriteAllText(gofer.PathOf(Upper, "d", "g"), "replaced");
        var root = await gofer.Client.RootAsync(Upper);
        var dir = await gofer.Client.LookupAsync(Upper, "d");

        await gofer.Client.RenameAsync(new RenameRequest { OldDirectory = root, OldName = Name("f"), NewDirectory = dir, NewName = Name("g") });

        Assert.False(OnDisk.Exists(gofer.PathOf(Upper, "f")));
        Assert.Equal("moved", File.ReadAllText(gofer.PathOf(Upper, "d", "g")));
    }

    [Fact]
    public async Task Rename_with_noreplace_over_an_existing_name_fails_with_EEXIST()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "a"), "a");
        File.WriteAllText(gofer.PathOf(Upper, "b"), "b");
        var root = await gofer.Client.RootAsync(Upper);

        var failure = await CallFailure.Expect(Errno.EEXIST, () => gofer.Client.RenameAsync(new RenameRequest { OldDirectory = root, OldName = Name("a"), NewDirectory = root, NewName = Name("b"), Flags = (uint)RenameFlag.Noreplace }));

        Assert.StartsWith("rename \"a\"", failure.Message, StringComparison.Ordinal);
        Assert.Equal(("a", "b"), (File.ReadAllText(gofer.PathOf(Upper, "a")), File.ReadAllText(gofer.PathOf(Upper, "b"))));
    }

    [Fact]
    public async Task Rename_with_exchange_swaps_the_two_names()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "a"), "a");
        Directory.CreateDirectory(gofer.PathOf(Upper, "b"));
        var root = await gofer.Client.RootAsync(Upper);

        await gofer.Client.RenameAsync(new RenameRequest { OldDirectory = root, OldName = Name("a"), NewDirectory = root, NewName = Name("b"), Flags = (uint)RenameFlag.Exchange });

        Assert.True(OnDisk.Lstat(gofer.PathOf(Upper, "a")).IsDirectory);
        Assert.Equal("a", File.ReadAllText(gofer.PathOf(Upper, "b")));
    }

    [Fact]
    public async Task Rename_with_whiteout_leaves_a_whiteout_at_the_old_name()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "a"), "a");
        var root = await gofer.Client.RootAsync(Upper);

        await gofer.Client.RenameAsync(new RenameRequest { OldDirectory = root, OldName = Name("a"), NewDirectory = root, NewName = Name("b"), Flags = (uint)RenameFlag.Whiteout });

        Assert.True(OnDisk.Lstat(gofer.PathOf(Upper, "a")).IsWhiteout);
        Assert.Equal("a", File.ReadAllText(gofer.PathOf(Upper, "b")));
    }

    [Fact]
    public async Task Rename_failures_carry_the_errno_of_renameat2()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        Directory.CreateDirectory(gofer.PathOf(Upper, "d"));
        Directory.CreateDirectory(gofer.PathOf(Upper, "full"));
        File.WriteAllText(gofer.PathOf(Upper, "full", "x"), "");
        File.WriteAllText(gofer.PathOf(Upper, "f"), "");
        var root = await gofer.Client.RootAsync(Upper);
        RenameRequest Rename(string from, string to, uint flags = 0) => new() { OldDirectory = root, OldName = Name(from), NewDirectory = root, NewName = Name(to), Flags = flags };

        await CallFailure.Expect(Errno.ENOENT, () => gofer.Client.RenameAsync(Rename("missing", "x")));
        await CallFailure.Expect(Errno.ENOTEMPTY, () => gofer.Client.RenameAsync(Rename("d", "full")));
        await CallFailure.Expect(Errno.ENOTDIR, () => gofer.Client.RenameAsync(Rename("d", "f")));
        await CallFailure.Expect(Errno.EISDIR, () => gofer.Client.RenameAsync(Rename("f", "d")));
        await CallFailure.Expect(Errno.EINVAL, () => gofer.Client.RenameAsync(Rename("f", "g", (uint)(RenameFlag.Noreplace | RenameFlag.Exchange))));
        var unknown = await CallFailure.Expect(Errno.EINVAL, () => gofer.Client.RenameAsync(Rename("f", "g", 8)));

        Assert.Contains("rename \"f (flags 0x8)\"", unknown.Message, StringComparison.Ordinal);
        Assert.True(OnDisk.Exists(gofer.PathOf(Upper, "f")));
    }
}
