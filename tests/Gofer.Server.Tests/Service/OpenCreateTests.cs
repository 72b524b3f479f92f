using Gofer.Native;
using Gofer.Protocol.V1;
using static Gofer.Server.Tests.Service.ClientShorthands;

namespace Gofer.Server.Tests.Service;

/// <summary>Open and Create: flags, modes, owners, and the files that must never be opened.</summary>
public class OpenCreateTests
{
    private const uint Upper = InProcessGofer.UpperId;

    [Fact]
    public async Task Open_gives_a_new_handle_and_leaves_the_path_handle_valid()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "content");
        var path = await gofer.Client.LookupAsync(Upper, "f");

        var opened = await gofer.Client.OpenAsync(new OpenRequest { Handle = path, Flags = Syscalls.O_RDONLY });

        Assert.NotEqual(path, opened.Handle);
        Assert.Equal(7, opened.Stat.Size);
        Assert.Equal("content", (await gofer.Client.ReadAsync(new ReadRequest { Handle = opened.Handle, Length = 100 })).Data.ToStringUtf8());
        Assert.Equal(opened.Stat.Ino, (await gofer.Client.StatAsync(new StatRequest { Handle = path })).Stat.Ino);
    }

    [Fact]
    public async Task Open_with_O_TRUNC_empties_the_file()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var file = gofer.PathOf(Upper, "f");
        File.WriteAllText(file, "content");

        var handle = await gofer.Client.OpenAsync(Upper, "f", Syscalls.O_WRONLY | Syscalls.O_TRUNC);

        Assert.NotEqual(0ul, handle);
        Assert.Equal(0, new FileInfo(file).Length);
    }

    [Fact]
    public async Task Open_of_a_directory_for_reading_works_and_for_writing_fails_with_EISDIR()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        Directory.CreateDirectory(gofer.PathOf(Upper, "d"));
        var dir = await gofer.Client.LookupAsync(Upper, "d");

        var opened = await gofer.Client.OpenAsync(new OpenRequest { Handle = dir, Flags = Syscalls.O_RDONLY | Syscalls.O_DIRECTORY });
        Assert.Equal(FileStatus.Directory, opened.Stat.Mode & FileStatus.TypeMask);

        foreach (var flags in new[] { Syscalls.O_WRONLY, Syscalls.O_RDWR, Syscalls.O_RDONLY | Syscalls.O_TRUNC })
        {
            var failure = await CallFailure.Expect(Errno.EISDIR, () => gofer.Client.OpenAsync(new OpenRequest { Handle = dir, Flags = (uint)flags }));
            Assert.StartsWith("open", failure.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Open_with_O_DIRECTORY_of_a_file_fails_with_ENOTDIR()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "");
        var file = await gofer.Client.LookupAsync(Upper, "f");

        await CallFailure.Expect(Errno.ENOTDIR, () => gofer.Client.OpenAsync(new OpenRequest { Handle = file, Flags = Syscalls.O_DIRECTORY }));
    }

    [Fact]
    public async Task Open_of_a_symlink_fails_with_ELOOP()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "target"), "");
        File.CreateSymbolicLink(gofer.PathOf(Upper, "link"), "target");
        var link = await gofer.Client.LookupAsync(Upper, "link");

        await CallFailure.Expect(Errno.ELOOP, () => gofer.Client.OpenAsync(new OpenRequest { Handle = link, Flags = Syscalls.O_RDONLY }));
        await CallFailure.Expect(Errno.ELOOP, () => gofer.Client.OpenAsync(new OpenRequest { Handle = link, Flags = Syscalls.O_WRONLY }));
    }

    [Theory]
    [InlineData(Syscalls.O_ACCMODE)]
    [InlineData(Syscalls.O_CREAT)]
    [InlineData(Syscalls.O_EXCL)]
    [InlineData(Syscalls.O_PATH)]
    [InlineData(Syscalls.O_TMPFILE)]
    [InlineData(Syscalls.O_NOCTTY)]
    [InlineData(Syscalls.O_NOFOLLOW)]
    [InlineData(unchecked((int)0x80000000))]
    public async Task Open_with_a_flag_outside_the_contract_fails_with_EINVAL(int flags)
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "");
        var file = await gofer.Client.LookupAsync(Upper, "f");

        var failure = await CallFailure.Expect(Errno.EINVAL, () => gofer.Client.OpenAsync(new OpenRequest { Handle = file, Flags = (uint)flags }));

        Assert.Contains($"open \"flags 0x{flags:x}\"", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("whiteout")]
    [InlineData("char")]
    [InlineData("block")]
    [InlineData("socket")]
    public async Task Open_of_a_device_whiteout_or_socket_fails_with_ENXIO(string kind)
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var path = gofer.PathOf(InProcessGofer.Lower0Id, "node");
        switch (kind)
        {
            case "whiteout": OnDisk.Mknod(path, FileStatus.CharDevice); break;
            case "char": OnDisk.Mknod(path, FileStatus.CharDevice | Octal.Of("666"), 1, 3); break;
            case "block": OnDisk.Mknod(path, FileStatus.BlockDevice | Octal.Of("600"), 7, 0); break;
            default: OnDisk.Mknod(path, FileStatus.Socket | Octal.Of("777")); break;
        }

        var node = await gofer.Client.LookupAsync(InProcessGofer.Lower0Id, "node");

        await CallFailure.Expect(Errno.ENXIO, () => gofer.Client.OpenAsync(new OpenRequest { Handle = node, Flags = Syscalls.O_RDONLY }));
    }

    [Theory]
    [InlineData("600")]
    [InlineData("644")]
    [InlineData("666")]
    [InlineData("777")]
    [InlineData("4755")]
    public async Task Create_makes_a_file_with_exactly_the_mode_asked(string mode)
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var root = await gofer.Client.RootAsync(Upper);

        var created = await gofer.Client.CreateAsync(new CreateRequest { Directory = root, Name = Name("f"), Flags = Syscalls.O_RDWR, Mode = Octal.Of(mode) });

        Assert.True(created.Created);
        Assert.Equal(FileStatus.Regular | Octal.Of(mode), OnDisk.Lstat(gofer.PathOf(Upper, "f")).Mode);
        Assert.Equal(FileStatus.Regular | Octal.Of(mode), created.Stat.Mode);
    }

    [Fact]
    public async Task Create_gives_a_new_file_the_owner_asked()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var root = await gofer.Client.RootAsync(Upper);

        var created = await gofer.Client.CreateAsync(new CreateRequest { Directory = root, Name = Name("f"), Flags = Syscalls.O_WRONLY, Mode = Octal.Of("644"), Uid = 1234, Gid = 2345 });

        var disk = OnDisk.Lstat(gofer.PathOf(Upper, "f"));
        Assert.Equal((1234u, 2345u), (disk.Uid, disk.Gid));
        Assert.Equal((1234u, 2345u), (created.Stat.Uid, created.Stat.Gid));
    }

    [Fact]
    public async Task Create_of_an_existing_file_opens_it_unchanged_and_says_so()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var file = gofer.PathOf(Upper, "f");
        File.WriteAllText(file, "kept");
        OnDisk.Chmod(file, Octal.Of("640"));
        var root = await gofer.Client.RootAsync(Upper);

        var created = await gofer.Client.CreateAsync(new CreateRequest { Directory = root, Name = Name("f"), Flags = Syscalls.O_RDWR, Mode = Octal.Of("777"), Uid = 1234 });

        Assert.False(created.Created);
        Assert.Equal("kept", (await gofer.Client.ReadAsync(new ReadRequest { Handle = created.Handle, Length = 10 })).Data.ToStringUtf8());
        var disk = OnDisk.Lstat(file);
        Assert.Equal(FileStatus.Regular | Octal.Of("640"), disk.Mode);
        Assert.Equal(0u, disk.Uid);
    }

    [Fact]
    public async Task Create_of_an_existing_file_with_O_TRUNC_empties_it()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var file = gofer.PathOf(Upper, "f");
        File.WriteAllText(file, "content");
        var root = await gofer.Client.RootAsync(Upper);

        var created = await gofer.Client.CreateAsync(new CreateRequest { Directory = root, Name = Name("f"), Flags = Syscalls.O_WRONLY | Syscalls.O_TRUNC, Mode = Octal.Of("644") });

        Assert.False(created.Created);
        Assert.Equal(0, new FileInfo(file).Length);
    }

    [Fact]
    public async Task Create_with_O_EXCL_of_an_existing_name_fails_with_EEXIST_naming_it()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "kept");
        var root = await gofer.Client.RootAsync(Upper);

        var failure = await CallFailure.Expect(Errno.EEXIST, () =>
            gofer.Client.CreateAsync(new CreateRequest { Directory = root, Name = Name("f"), Flags = Syscalls.O_WRONLY | Syscalls.O_EXCL | Syscalls.O_TRUNC, Mode = Octal.Of("644") }));

        Assert.StartsWith("create \"f\": EEXIST", failure.Message, StringComparison.Ordinal);
        Assert.Equal("kept", File.ReadAllText(gofer.PathOf(Upper, "f")));
    }

    [Theory]
    [InlineData("target")]
    [InlineData("missing")]
    public async Task Create_over_a_symlink_fails_with_ELOOP_and_leaves_its_target_alone(string target)
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "target"), "kept");
        File.CreateSymbolicLink(gofer.PathOf(Upper, "link"), target);
        var root = await gofer.Client.RootAsync(Upper);

        var failure = await CallFailure.Expect(Errno.ELOOP, () =>
            gofer.Client.CreateAsync(new CreateRequest { Directory = root, Name = Name("link"), Flags = Syscalls.O_WRONLY | Syscalls.O_TRUNC, Mode = Octal.Of("644") }));

        Assert.StartsWith("create \"link\"", failure.Message, StringComparison.Ordinal);
        Assert.Equal("kept", File.ReadAllText(gofer.PathOf(Upper, "target")));
        Assert.False(OnDisk.Exists(gofer.PathOf(Upper, "missing")));
    }

    [Fact]
    public async Task Create_over_a_directory_fails_with_EISDIR()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        Directory.CreateDirectory(gofer.PathOf(Upper, "d"));
        var root = await gofer.Client.RootAsync(Upper);

        var failure = await CallFailure.Expect(Errno.EISDIR, () => gofer.Client.CreateAsync(new CreateRequest { Directory = root, Name = Name("d"), Flags = Syscalls.O_RDONLY, Mode = Octal.Of("644") }));

        Assert.StartsWith("create \"d\"", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_over_a_whiteout_fails_with_ENXIO()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        OnDisk.Mknod(gofer.PathOf(Upper, "gone"), FileStatus.CharDevice);
        var root = await gofer.Client.RootAsync(Upper);

        await CallFailure.Expect(Errno.ENXIO, () => gofer.Client.CreateAsync(new CreateRequest { Directory = root, Name = Name("gone"), Flags = Syscalls.O_RDWR, Mode = Octal.Of("644") }));

        Assert.True(OnDisk.Lstat(gofer.PathOf(Upper, "gone")).IsWhiteout);
    }

    [Theory]
    [InlineData(Syscalls.O_DIRECTORY)]
    [InlineData(Syscalls.O_ACCMODE)]
    [InlineData(Syscalls.O_PATH)]
    [InlineData(Syscalls.O_TMPFILE)]
    public async Task Create_with_a_flag_outside_the_contract_fails_with_EINVAL_and_makes_nothing(int flags)
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var root = await gofer.Client.RootAsync(Upper);

        var failure = await CallFailure.Expect(Errno.EINVAL, () => gofer.Client.CreateAsync(new CreateRequest { Directory = root, Name = Name("f"), Flags = (uint)flags, Mode = Octal.Of("644") }));

        Assert.StartsWith("create \"f", failure.Message, StringComparison.Ordinal);
        Assert.False(OnDisk.Exists(gofer.PathOf(Upper, "f")));
    }

    [Fact]
    public async Task Create_in_a_file_handle_fails_with_ENOTDIR()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "");
        var file = await gofer.Client.LookupAsync(Upper, "f");

        var failure = await CallFailure.Expect(Errno.ENOTDIR, () => gofer.Client.CreateAsync(new CreateRequest { Directory = file, Name = Name("x"), Flags = Syscalls.O_RDWR, Mode = Octal.Of("644") }));

        Assert.Contains($"create \"handle {file}\"", failure.Message, StringComparison.Ordinal);
    }
}
