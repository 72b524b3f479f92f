using System.Text;
using Gofer.Native;
using Gofer.Server.Tests.EndToEnd;

namespace Gofer.Fuse.Tests;

/// <summary>Hard links and renames (plain, RENAME_NOREPLACE, RENAME_EXCHANGE).</summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class LinkRenameTests(PublishedGofer gofer)
{
    [Fact]
    public async Task Hard_links_share_one_inode_and_a_write_through_one_name_shows_through_the_other()
    {
        await using var overlay = await MountedOverlay.StartAsync(gofer);
        Gofer.Server.Tests.Tool.Check("ln", overlay.Path("top.txt"), overlay.Path("second"));

        var first = Sys.Lstat(overlay.Path("top.txt"));
        var second = Sys.Lstat(overlay.Path("second"));
        Assert.Equal(first.Inode, second.Inode);
        Assert.Equal(2u, first.LinkCount);
        Assert.Equal(2u, second.LinkCount);

        using (var fd = Sys.Open(overlay.Path("second"), Syscalls.O_WRONLY))
        {
            Sys.Pwrite(fd, "TOP"u8, 0);
        }

        Assert.Equal("TOP\n", File.ReadAllText(overlay.Path("top.txt")));
        Assert.Equal(Sys.Lstat(Path.Combine(overlay.Upper, "top.txt")).Inode, Sys.Lstat(Path.Combine(overlay.Upper, "second")).Inode);
        Assert.Equal("top\n", File.ReadAllText(Path.Combine(overlay.Top, "top.txt")));

        File.Delete(overlay.Path("top.txt"));
        Assert.Equal(1u, Sys.Lstat(overlay.Path("second")).LinkCount);
        Assert.Equal("TOP\n", File.ReadAllText(overlay.Path("second")));
    }

    [Fact]
    public async Task Rename_moves_names_noreplace_refuses_an_existing_target_and_exchange_swaps()
    {
        await using var overlay = await MountedOverlay.StartAsync(gofer);
        File.WriteAllText(overlay.Path("a"), "a");
        File.WriteAllText(overlay.Path("b"), "b");

        Assert.Equal(Errno.EEXIST, Sys.Rename2(overlay.Path("a"), overlay.Path("b"), Syscalls.RENAME_NOREPLACE));
        Assert.Equal(0, Sys.Rename2(overlay.Path("a"), overlay.Path("c"), Syscalls.RENAME_NOREPLACE));
        Assert.Equal(Errno.ENOENT, Sys.LstatError(overlay.Path("a")));
        Assert.Equal("a", File.ReadAllText(overlay.Path("c")));

        var inodeB = Sys.Lstat(overlay.Path("b")).Inode;
        Assert.Equal(0, Sys.Rename2(overlay.Path("b"), overlay.Path("c"), Syscalls.RENAME_EXCHANGE));
        Assert.Equal("b", File.ReadAllText(overlay.Path("c")));
        Assert.Equal("a", File.ReadAllText(overlay.Path("b")));
        Assert.Equal(inodeB, Sys.Lstat(overlay.Path("c")).Inode);
        Assert.Equal(Errno.EINVAL, Sys.Rename2(overlay.Path("b"), overlay.Path("d"), Syscalls.RENAME_WHITEOUT));

        // A lower file renamed: the old name stays hidden and the lower keeps it.
        File.Move(overlay.Path("dir/base.txt"), overlay.Path("moved.txt"));
        Assert.Equal("base\n", File.ReadAllText(overlay.Path("moved.txt")));
        Assert.Equal(Errno.ENOENT, Sys.LstatError(overlay.Path("dir/base.txt")));
        Assert.True(File.Exists(Path.Combine(overlay.Base, "dir", "base.txt")));

        // A directory made here moves with what is in it, and paths below it follow.
        Directory.CreateDirectory(overlay.Path("d1/inner"));
        File.WriteAllText(overlay.Path("d1/inner/f"), "deep");
        Directory.Move(overlay.Path("d1"), overlay.Path("d2"));
        Assert.Equal("deep", File.ReadAllText(overlay.Path("d2/inner/f")));
        File.AppendAllText(overlay.Path("d2/inner/f"), "er");
        Assert.Equal("deeper", Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(overlay.Upper, "d2", "inner", "f"))));
    }
}
