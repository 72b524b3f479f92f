using Gofer.Native;
using Gofer.Protocol.V1;
using static Gofer.Server.Tests.Service.ClientShorthands;

namespace Gofer.Server.Tests.Service;

/// <summary>Lower layers: everything that reads works, everything that would change them fails with EROFS and changes nothing.</summary>
public class ReadOnlyLayerTests
{
    public static TheoryData<uint, string> Modifications()
    {
        var data = new TheoryData<uint, string>();
        foreach (var layer in new[] { InProcessGofer.Lower0Id, InProcessGofer.Lower1Id })
        {
            foreach (var operation in new[]
            {
                "create", "create-existing", "mkdir", "mknod", "mknod-whiteout", "symlink", "link", "link-from-upper", "unlink", "rmdir", "rename", "rename-from-upper",
                "setattr-size", "setattr-mode", "setattr-owner", "setattr-times", "setxattr", "removexattr",
                "open-write", "open-readwrite", "open-truncate",
            })
            {
                data.Add(layer, operation);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Modifications))]
    public async Task Every_modification_fails_with_EROFS_and_leaves_the_layer_as_it_was(uint layer, string operation)
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(layer, "f"), "lower");
        OnDisk.SetXattr(gofer.PathOf(layer, "f"), "user.keep", "1"u8.ToArray());
        Directory.CreateDirectory(gofer.PathOf(layer, "empty"));
        var before = Snapshot(gofer.PathOf(layer));
        var client = gofer.Client;
        var root = await client.RootAsync(layer);
        var file = await client.LookupAsync(layer, "f");
        File.WriteAllText(gofer.PathOf(InProcessGofer.UpperId, "u"), "upper");
        var upper = await client.RootAsync(InProcessGofer.UpperId);
        var upperFile = await client.LookupAsync(InProcessGofer.UpperId, "u");

        Func<Task> call = operation switch
        {
            "create" => async () => await client.CreateAsync(new CreateRequest { Directory = root, Name = Name("new"), Flags = Syscalls.O_RDWR, Mode = Octal.Of("644") }),
            "create-existing" => async () => await client.CreateAsync(new CreateRequest { Directory = root, Name = Name("f"), Flags = Syscalls.O_RDONLY, Mode = Octal.Of("644") }),
            "mkdir" => async () => await client.MkdirAsync(new MkdirRequest { Directory = root, Name = Name("new"), Mode = Octal.Of("755") }),
            "mknod" => async () => await client.MknodAsync(new MknodRequest { Directory = root, Name = Name("new"), Mode = FileStatus.Fifo | Octal.Of("644") }),
            "mknod-whiteout" => async () => await client.MknodAsync(new MknodRequest { Directory = root, Name = Name("f"), Mode = FileStatus.CharDevice }),
            "symlink" => async () => await client.SymlinkAsync(new SymlinkRequest { Directory = root, Name = Name("new"), Target = Name("f") }),
            "link" => async () => await client.LinkAsync(new LinkRequest { Target = file, Directory = root, Name = Name("new") }),
            "link-from-upper" => async () => await client.LinkAsync(new LinkRequest { Target = upperFile, Directory = root, Name = Name("new") }),
            "unlink" => async () => await client.UnlinkAsync(new UnlinkRequest { Directory = root, Name = Name("f") }),
            "rmdir" => async () => await client.UnlinkAsync(new UnlinkRequest { Directory = root, Name = Name("empty"), RemoveDirectory = true }),
            "rename" => async () => await client.RenameAsync(new RenameRequest { OldDirectory = root, OldName = Name("f"), NewDirectory = root, NewName = Name("new") }),
            "rename-from-upper" => async () => await client.RenameAsync(new RenameRequest { OldDirectory = upper, OldName = Name("u"), NewDirectory = root, NewName = Name("new") }),
            "setattr-size" => async () => await client.SetAttrAsync(new SetAttrRequest { Handle = file, Size = 0 }),
            "setattr-mode" => async () => await client.SetAttrAsync(new SetAttrRequest { Handle = file, Mode = Octal.Of("777") }),
            "setattr-owner" => async () => await client.SetAttrAsync(new SetAttrRequest { Handle = file, Uid = 5 }),
            "setattr-times" => async () => await client.SetAttrAsync(new SetAttrRequest { Handle = file, Mtime = new Timespec { Sec = 1 } }),
            "setxattr" => async () => await client.SetXattrAsync(new SetXattrRequest { Handle = file, Name = "trusted.overlay.opaque", Value = Name("y") }),
            "removexattr" => async () => await client.RemoveXattrAsync(new RemoveXattrRequest { Handle = file, Name = "user.keep" }),
            "open-write" => async () => await client.OpenAsync(new OpenRequest { Handle = file, Flags = Syscalls.O_WRONLY }),
            "open-readwrite" => async () => await client.OpenAsync(new OpenRequest { Handle = file, Flags = Syscalls.O_RDWR }),
            "open-truncate" => async () => await client.OpenAsync(new OpenRequest { Handle = file, Flags = Syscalls.O_RDONLY | Syscalls.O_TRUNC }),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
        };

        var failure = await CallFailure.Expect(Errno.EROFS, call);

        Assert.StartsWith(operation.Split('-')[0], failure.Message, StringComparison.Ordinal);
        Assert.Null(failure.FailedPart);
        Assert.Equal(before, Snapshot(gofer.PathOf(layer)));
        Assert.Equal("upper", File.ReadAllText(gofer.PathOf(InProcessGofer.UpperId, "u")));
    }

    [Fact]
    public async Task Reading_a_lower_layer_works()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        const uint lower = InProcessGofer.Lower0Id;
        File.WriteAllText(gofer.PathOf(lower, "f"), "lower");
        OnDisk.SetXattr(gofer.PathOf(lower, "f"), "user.k", "v"u8.ToArray());
        File.CreateSymbolicLink(gofer.PathOf(lower, "link"), "f");
        var client = gofer.Client;

        var file = await client.OpenAsync(lower, "f", Syscalls.O_RDONLY);
        var link = await client.LookupAsync(lower, "link");

        Assert.Equal("lower", (await client.ReadAsync(new ReadRequest { Handle = file, Length = 10 })).Data.ToStringUtf8());
        Assert.Equal("v", (await client.GetXattrAsync(new GetXattrRequest { Handle = file, Name = "user.k" })).Value.ToStringUtf8());
        Assert.Equal(["user.k"], (await client.ListXattrAsync(new ListXattrRequest { Handle = file })).Names);
        Assert.Equal("f", (await client.ReadlinkAsync(new ReadlinkRequest { Handle = link })).Target.ToStringUtf8());
        Assert.Equal(["f", "link"], (await client.ListAsync(await client.RootAsync(lower))).Keys.Order());
        await client.FsyncAsync(new FsyncRequest { Handle = file });
    }

    /// <summary>Everything about a layer a modification could change: names, types, modes, owners, sizes, times, contents, user xattrs.</summary>
    private static List<string> Snapshot(string layer) =>
        [.. Directory.EnumerateFileSystemEntries(layer, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(path =>
        {
            var s = OnDisk.Lstat(path);
            var content = s.IsRegular ? File.ReadAllText(path) : "";
            var xattr = s.IsRegular ? Convert.ToHexString(OnDisk.GetXattr(path, "user.keep") ?? []) : "";
            return $"{Path.GetRelativePath(layer, path)} {s.Mode:x} {s.Uid}:{s.Gid} {s.Size} {s.ModifySeconds}.{s.ModifyNanoseconds} {s.ChangeSeconds}.{s.ChangeNanoseconds} {content} {xattr}";
        })];
}
