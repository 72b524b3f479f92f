using System.Text;
using Gofer.Native;
using Gofer.Server.Tests.EndToEnd;

namespace Gofer.Fuse.Tests;

/// <summary>Lookups, listings, whiteouts and opaque directories through the mount.</summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class NameTests(PublishedGofer gofer)
{
    [Fact]
    public async Task Lower_upper_and_merged_names_resolve_and_whiteouts_and_opaque_dirs_hide_what_is_below()
    {
        await using var overlay = await MountedOverlay.StartAsync(gofer);
        File.WriteAllText(Path.Combine(overlay.Upper, "upper.txt"), "upper\n");

        Assert.Equal("top\n", File.ReadAllText(overlay.Path("top.txt")));
        Assert.Equal("base\n", File.ReadAllText(overlay.Path("dir/base.txt")));
        Assert.Equal("top only\n", File.ReadAllText(overlay.Path("dir/top-only.txt")));
        Assert.Equal("upper\n", File.ReadAllText(overlay.Path("upper.txt")));
        Assert.True(Sys.Lstat(overlay.Path("dir")).IsDirectory);
        Assert.True(Sys.Lstat(overlay.Path("link")).IsSymlink);
        Assert.Equal("top.txt", new FileInfo(overlay.Path("link")).LinkTarget);

        Assert.Equal(Errno.ENOENT, Sys.LstatError(overlay.Path("gone.txt")));
        Assert.Equal(Errno.ENOENT, Sys.LstatError(overlay.Path("opaque/hidden.txt")));
        Assert.Equal(Errno.ENOENT, Sys.LstatError(overlay.Path("nothing")));
        Assert.Equal("visible\n", File.ReadAllText(overlay.Path("opaque/visible.txt")));
    }

    [Fact]
    public async Task Readdir_merges_layers_without_duplicates_or_whiteouts_with_types_and_the_numbers_stat_shows()
    {
        await using var overlay = await MountedOverlay.StartAsync(gofer);
        Directory.CreateDirectory(Path.Combine(overlay.Upper, "dir"));
        File.WriteAllText(Path.Combine(overlay.Upper, "dir", "base.txt"), "shadowing\n");

        var root = Records(overlay.Root);
        Assert.Equal(["big.bin", "dir", "link", "opaque", "top.txt"], root.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(4, root["dir"].Type);
        Assert.Equal(8, root["top.txt"].Type);
        Assert.Equal(10, root["link"].Type);

        var dir = Records(overlay.Path("dir"));
        Assert.Equal(["base.txt", "top-only.txt"], dir.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["visible.txt"], Records(overlay.Path("opaque")).Keys);
        foreach (var (name, record) in dir)
        {
            Assert.Equal(Sys.Lstat(overlay.Path("dir/" + name)).Inode, record.Inode);
        }

        Assert.Equal("shadowing\n", File.ReadAllText(overlay.Path("dir/base.txt")));
    }

    [Fact]
    public async Task Inode_numbers_are_distinct_across_layers_and_stable()
    {
        await using var overlay = await MountedOverlay.StartAsync(gofer);
        var names = new[] { "top.txt", "big.bin", "dir", "dir/base.txt", "dir/top-only.txt", "opaque", "opaque/visible.txt", "link" };
        var inodes = names.Select(n => Sys.Lstat(overlay.Path(n)).Inode).ToList();
        Assert.Equal(inodes.Count, inodes.Distinct().Count());
        Assert.Equal(inodes, names.Select(n => Sys.Lstat(overlay.Path(n)).Inode));
    }

    [Fact]
    public async Task Mkdir_symlink_mkfifo_unlink_and_rmdir_change_the_upper_layer()
    {
        await using var overlay = await MountedOverlay.StartAsync(gofer);
        Directory.CreateDirectory(overlay.Path("dir/sub"));
        File.CreateSymbolicLink(overlay.Path("dir/sub/to-base"), "../base.txt");
        Tool("mkfifo", overlay.Path("dir/sub/fifo"));
        Assert.Equal("base\n", File.ReadAllText(overlay.Path("dir/sub/to-base")));
        Assert.Equal(FileStatus.Fifo, Sys.Lstat(overlay.Path("dir/sub/fifo")).Type);
        Assert.True(Directory.Exists(Path.Combine(overlay.Upper, "dir", "sub")));

        File.Delete(overlay.Path("dir/base.txt"));
        Assert.Equal(Errno.ENOENT, Sys.LstatError(overlay.Path("dir/base.txt")));
        Assert.DoesNotContain("base.txt", Records(overlay.Path("dir")).Keys);
        Assert.Equal("base\n", File.ReadAllText(Path.Combine(overlay.Base, "dir", "base.txt")));

        File.Delete(overlay.Path("dir/sub/to-base"));
        File.Delete(overlay.Path("dir/sub/fifo"));
        Directory.Delete(overlay.Path("dir/sub"));
        Assert.False(Directory.Exists(overlay.Path("dir/sub")));
        var (exit, _, stderr) = Gofer.Server.Tests.Tool.Run("mknod", overlay.Path("dev"), "c", "1", "3");
        Assert.NotEqual(0, exit);
        Assert.Contains("Operation not permitted", stderr, StringComparison.Ordinal);
        Assert.Equal(Errno.ENOENT, Sys.LstatError(overlay.Path("dev")));
    }

    private static void Tool(string program, params string[] arguments) => Gofer.Server.Tests.Tool.Check(program, arguments);

    private static Dictionary<string, DirectoryRecord> Records(string path)
    {
        using var fd = Sys.Open(path, Syscalls.O_RDONLY | Syscalls.O_DIRECTORY);
        var records = DirectoryReader.Read(fd).ToList();

        // ToDictionary throws on a duplicate name: a listing must have none.
        return records.ToDictionary(r => Encoding.UTF8.GetString(r.Name), StringComparer.Ordinal);
    }
}
