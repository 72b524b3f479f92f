using System.Text;
using Gofer.Native;
using Gofer.Protocol.V1;
using Gofer.Server.Service;
using Google.Protobuf;
using static Gofer.Server.Tests.Service.ClientShorthands;

namespace Gofer.Server.Tests.Service;

/// <summary>
/// What a compromised client may send: names that would climb or smuggle a path, symlinks that
/// point out of the layer, made-up handles, device nodes. None may reach past its layer.
/// </summary>
public class HostileRequestTests
{
    private const uint Upper = InProcessGofer.UpperId;

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("/etc")]
    [InlineData("/")]
    [InlineData("a\0b")]
    [InlineData("\0")]
    public async Task A_name_that_is_not_one_component_fails_with_EINVAL_for_every_call(string name)
    {
        await using var gofer = await InProcessGofer.StartAsync();
        Directory.CreateDirectory(gofer.PathOf(Upper, "a"));
        File.WriteAllText(gofer.PathOf(Upper, "f"), "");
        List<string> Tree() => [.. Directory.EnumerateFileSystemEntries(gofer.Root.Path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];
        var before = Tree();

        foreach (var (operation, call) in await NameCallsAsync(gofer, ByteString.CopyFromUtf8(name)))
        {
            var failure = await CallFailure.Expect(Errno.EINVAL, call);
            Assert.StartsWith($"{operation} \"", failure.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, Tree());
    }

    [Fact]
    public async Task A_name_of_256_bytes_fails_with_ENAMETOOLONG_and_255_bytes_is_fine()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "");

        foreach (var (operation, call) in await NameCallsAsync(gofer, Name(new string('n', 256))))
        {
            var failure = await CallFailure.Expect(Errno.ENAMETOOLONG, call);
            Assert.StartsWith($"{operation} \"nnnn", failure.Message, StringComparison.Ordinal);
        }

        var root = await gofer.Client.RootAsync(Upper);
        await gofer.Client.MkdirAsync(new MkdirRequest { Directory = root, Name = Name(new string('n', 255)), Mode = Octal.Of("755") });
        Assert.True(OnDisk.Lstat(gofer.PathOf(Upper, new string('n', 255))).IsDirectory);
    }

    [Fact]
    public async Task A_walk_of_more_than_256_names_fails_with_E2BIG()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var root = await gofer.Client.RootAsync(Upper);
        WalkRequest Walk(int count) => new() { Directory = root, Names = { Enumerable.Repeat(Name("a"), count) } };

        var failure = await CallFailure.Expect(Errno.E2BIG, () => gofer.Client.WalkAsync(Walk(FileOperations.MaxWalkNames + 1)));
        var most = await gofer.Client.WalkAsync(Walk(FileOperations.MaxWalkNames));

        Assert.Equal("walk \"257 names\": E2BIG (Argument list too long)", failure.Message);
        Assert.Equal((WalkStatus.Stopped, Errno.ENOENT), (most.Status, most.Errno));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("../../..")]
    public async Task A_symlink_out_of_the_layer_is_reported_never_followed(string target)
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.CreateSymbolicLink(gofer.PathOf(Upper, "esc"), target);
        var root = await gofer.Client.RootAsync(Upper);

        var walk = await gofer.Client.WalkAsync(new WalkRequest { Directory = root, Names = { Name("esc"), Name("etc"), Name("passwd") } });

        Assert.Equal(WalkStatus.Symlink, walk.Status);
        var esc = Assert.Single(walk.Entries);
        Assert.Equal(OnDisk.Lstat(gofer.PathOf(Upper, "esc")).Inode, esc.Stat.Ino);
        Assert.Equal(target, (await gofer.Client.ReadlinkAsync(new ReadlinkRequest { Handle = esc.Handle })).Target.ToStringUtf8());

        // The link's handle is never a way through it.
        await CallFailure.Expect(Errno.ELOOP, () => gofer.Client.OpenAsync(new OpenRequest { Handle = esc.Handle, Flags = Syscalls.O_RDONLY }));
        await CallFailure.Expect(Errno.ELOOP, () => gofer.Client.OpenAsync(new OpenRequest { Handle = esc.Handle, Flags = Syscalls.O_RDONLY | Syscalls.O_DIRECTORY }));
        var through = await gofer.Client.WalkAsync(new WalkRequest { Directory = esc.Handle, Names = { Name("etc") } });
        Assert.Equal((WalkStatus.Stopped, Errno.ENOTDIR, 0), (through.Status, through.Errno, through.Entries.Count));
        await CallFailure.Expect(Errno.ENOTDIR, () => gofer.Client.ReadDirAsync(esc.Handle));
        await CallFailure.Expect(Errno.ENOTDIR, () => gofer.Client.MkdirAsync(new MkdirRequest { Directory = esc.Handle, Name = Name("x"), Mode = Octal.Of("755") }));
        await CallFailure.Expect(Errno.ENOTDIR, () => gofer.Client.CreateAsync(new CreateRequest { Directory = esc.Handle, Name = Name("x"), Flags = Syscalls.O_RDWR, Mode = Octal.Of("644") }));
        await CallFailure.Expect(Errno.ENOTDIR, () => gofer.Client.UnlinkAsync(new UnlinkRequest { Directory = esc.Handle, Name = Name("x") }));
    }

    [Fact]
    public async Task Xattr_calls_on_a_symlink_act_on_the_link_never_its_target()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var outside = gofer.Root.Make("outside");
        File.CreateSymbolicLink(gofer.PathOf(Upper, "esc"), outside);
        var esc = await gofer.Client.LookupAsync(Upper, "esc");

        // A file's own xattr under the overlay's prefix (stored escaped): one a client may set on any file.

        await gofer.Client.SetXattrAsync(new SetXattrRequest { Handle = esc, Name = "trusted.overlay.overlay.k", Value = Name("y") });

        Assert.Null(OnDisk.GetXattr(outside, "trusted.overlay.overlay.k"));
        Assert.Equal("y", (await gofer.Client.GetXattrAsync(new GetXattrRequest { Handle = esc, Name = "trusted.overlay.overlay.k" })).Value.ToStringUtf8());
        Assert.Equal(["trusted.overlay.overlay.k"], (await gofer.Client.ListXattrAsync(new ListXattrRequest { Handle = esc })).Names);
    }

    [Theory]
    [InlineData(0ul)]
    [InlineData(2ul)]
    [InlineData(ulong.MaxValue)]
    public async Task A_made_up_handle_fails_with_EBADF_naming_it(ulong handle)
    {
        await using var gofer = await InProcessGofer.StartAsync();
        await gofer.Client.RootAsync(Upper);

        var stat = await CallFailure.Expect(Errno.EBADF, () => gofer.Client.StatAsync(new StatRequest { Handle = handle }));
        await CallFailure.Expect(Errno.EBADF, () => gofer.Client.WalkAsync(new WalkRequest { Directory = handle, Names = { Name("a") } }));
        await CallFailure.Expect(Errno.EBADF, () => gofer.Client.OpenAsync(new OpenRequest { Handle = handle }));
        await CallFailure.Expect(Errno.EBADF, () => gofer.Client.MkdirAsync(new MkdirRequest { Directory = handle, Name = Name("d") }));
        await CallFailure.Expect(Errno.EBADF, () => gofer.Client.ReadAllAsync(handle));
        await CallFailure.Expect(Errno.EBADF, () => gofer.Client.ReadDirAsync(handle));
        await CallFailure.Expect(Errno.EBADF, () => gofer.Client.SetAttrAsync(new SetAttrRequest { Handle = handle, Mode = Octal.Of("777") }));

        Assert.Equal($"stat \"handle {handle}\": EBADF (Bad file descriptor)", stat.Message);
    }

    [Fact]
    public async Task Mknod_of_a_whiteout_makes_a_char_device_0_0_on_disk()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var root = await gofer.Client.RootAsync(Upper);

        var made = await gofer.Client.MknodAsync(new MknodRequest { Directory = root, Name = Name("gone"), Mode = FileStatus.CharDevice });

        var disk = OnDisk.Lstat(gofer.PathOf(Upper, "gone"));
        Assert.True(disk.IsWhiteout);
        Assert.Equal((FileStatus.CharDevice, 0ul), (disk.Mode, disk.RawDevice));
        Assert.Equal((FileStatus.CharDevice, 0ul), (made.Stat.Mode, made.Stat.Rdev));
    }

    [Theory]
    [InlineData(FileStatus.CharDevice, 1u, 3u)]
    [InlineData(FileStatus.CharDevice, 0u, 1u)]
    [InlineData(FileStatus.BlockDevice, 8u, 0u)]
    [InlineData(FileStatus.BlockDevice, 0u, 0u)]
    [InlineData(FileStatus.Socket, 0u, 0u)]
    [InlineData(FileStatus.Directory, 0u, 0u)]
    [InlineData(0u, 0u, 0u)]
    public async Task Mknod_of_anything_but_a_file_FIFO_or_whiteout_fails_with_EPERM_and_makes_nothing(uint type, uint major, uint minor)
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var root = await gofer.Client.RootAsync(Upper);

        var failure = await CallFailure.Expect(Errno.EPERM, () => gofer.Client.MknodAsync(new MknodRequest
        {
            Directory = root,
            Name = Name("dev"),
            Mode = type | Octal.Of("666"),
            Rdev = FileStatus.MakeDevice(major, minor),
        }));

        Assert.Equal("mknod \"dev\": EPERM (Operation not permitted)", failure.Message);
        Assert.False(OnDisk.Exists(gofer.PathOf(Upper, "dev")));
    }

    [Fact]
    public async Task Messages_show_bytes_that_are_not_text_as_escapes()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var root = await gofer.Client.RootAsync(Upper);
        var names = new[] { new byte[] { 0x61, 0xff }, [0x61, 0xfe], [0x61, 0x0a, 0x22, 0x5c], "é"u8.ToArray() };

        var messages = new List<string>();
        foreach (var name in names)
        {
            var failure = await CallFailure.Expect(Errno.ENOENT, () => gofer.Client.UnlinkAsync(new UnlinkRequest { Directory = root, Name = ByteString.CopyFrom(name) }));
            messages.Add(failure.Message);
        }

        Assert.Equal(
            ["unlink \"a\\xff\"", "unlink \"a\\xfe\"", "unlink \"a\\x0a\\x22\\x5c\"", "unlink \"é\""],
            messages.Select(m => m[..m.IndexOf(": ", StringComparison.Ordinal)]));
    }

    /// <summary>Every call that takes a name in a directory, each with <paramref name="name"/> as that name.</summary>
    private static async Task<List<(string Operation, Func<Task> Call)>> NameCallsAsync(InProcessGofer gofer, ByteString name)
    {
        var client = gofer.Client;
        var root = await client.RootAsync(Upper);
        var file = await client.LookupAsync(Upper, "f");
        return
        [
            ("walk", async () => await client.WalkAsync(new WalkRequest { Directory = root, Names = { Name("f"), name } })),
            ("create", async () => await client.CreateAsync(new CreateRequest { Directory = root, Name = name, Flags = Syscalls.O_RDWR, Mode = Octal.Of("644") })),
            ("mkdir", async () => await client.MkdirAsync(new MkdirRequest { Directory = root, Name = name, Mode = Octal.Of("755") })),
            ("mknod", async () => await client.MknodAsync(new MknodRequest { Directory = root, Name = name, Mode = FileStatus.Fifo | Octal.Of("644") })),
            ("symlink", async () => await client.SymlinkAsync(new SymlinkRequest { Directory = root, Name = name, Target = Name("f") })),
            ("link", async () => await client.LinkAsync(new LinkRequest { Target = file, Directory = root, Name = name })),
            ("unlink", async () => await client.UnlinkAsync(new UnlinkRequest { Directory = root, Name = name })),
            ("rmdir", async () => await client.UnlinkAsync(new UnlinkRequest { Directory = root, Name = name, RemoveDirectory = true })),
            ("rename", async () => await client.RenameAsync(new RenameRequest { OldDirectory = root, OldName = name, NewDirectory = root, NewName = Name("g") })),
            ("rename", async () => await client.RenameAsync(new RenameRequest { OldDirectory = root, OldName = Name("f"), NewDirectory = root, NewName = name })),
        ];
    }
}
