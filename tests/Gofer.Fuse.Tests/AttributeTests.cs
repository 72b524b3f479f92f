using System.Text;
using Gofer.Native;
using Gofer.Server.Tests;
using Gofer.Server.Tests.EndToEnd;
using Gofer.Server.Tests.Service;

namespace Gofer.Fuse.Tests;

/// <summary>Modes, owners, times, xattrs, statfs, and the kernel's permission checks.</summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class AttributeTests(PublishedGofer gofer)
{
    private const string User = "1000";

    [Fact]
    public async Task The_kernel_enforces_modes_for_other_users_and_their_new_files_are_theirs()
    {
        await using var overlay = await MountedOverlay.StartAsync(gofer);
        File.WriteAllText(overlay.Path("secret"), "secret");
        File.SetUnixFileMode(overlay.Path("secret"), (UnixFileMode)Octal.Of("600"));
        File.WriteAllText(overlay.Path("public"), "public");
        File.SetUnixFileMode(overlay.Path("public"), (UnixFileMode)Octal.Of("644"));
        Directory.CreateDirectory(overlay.Path("shared"));
        File.SetUnixFileMode(overlay.Path("shared"), (UnixFileMode)Octal.Of("777"));

        Assert.Equal("public", AsUser("cat", overlay.Path("public")).Stdout);
        var denied = AsUser("cat", overlay.Path("secret"));
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("Permission denied", denied.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, AsUser("touch", overlay.Path("not-mine")).ExitCode);

        Assert.Equal(0, AsUser("touch", overlay.Path("shared/mine")).ExitCode);
        Assert.Equal(0, AsUser("mkdir", overlay.Path("shared/mydir")).ExitCode);
        Assert.Equal(0, AsUser("ln", "-s", "mine", overlay.Path("shared/mylink")).ExitCode);
        foreach (var name in new[] { "shared/mine", "shared/mydir", "shared/mylink" })
        {
            Assert.Equal(1000u, Sys.Lstat(overlay.Path(name)).Uid);
            Assert.Equal(1000u, Sys.Lstat(overlay.Path(name)).Gid);
            Assert.Equal(1000u, Sys.Lstat(Path.Combine(overlay.Upper, name)).Uid);
        }
    }

    [Fact]
    public async Task Chmod_chown_and_utimensat_change_what_stat_shows()
    {
        await using var overlay = await MountedOverlay.StartAsync(gofer);
        File.SetUnixFileMode(overlay.Path("top.txt"), (UnixFileMode)Octal.Of("640"));
        Assert.Equal(Octal.Of("640"), Sys.Lstat(overlay.Path("top.txt")).Mode & 0xFFF);
        Tool.Check("chown", "1000:2000", overlay.Path("top.txt"));
        var owned = Sys.Lstat(overlay.Path("top.txt"));
        Assert.Equal((1000u, 2000u), (owned.Uid, owned.Gid));

        Sys.Utimens(overlay.Path("top.txt"), (1_000_000, 5), (2_000_000, 7));
        var timed = Sys.Lstat(overlay.Path("top.txt"));
        Assert.Equal((1_000_000L, 5u), (timed.AccessSeconds, timed.AccessNanoseconds));
        Assert.Equal((2_000_000L, 7u), (timed.ModifySeconds, timed.ModifyNanoseconds));

        // Only the modification time: the access time stays.
        Sys.Utimens(overlay.Path("top.txt"), null, (3_000_000, 0));
        Assert.Equal(1_000_000L, Sys.Lstat(overlay.Path("top.txt")).AccessSeconds);
        Assert.Equal(3_000_000L, Sys.Lstat(overlay.Path("top.txt")).ModifySeconds);
        Assert.Equal(3_000_000L, Sys.Lstat(Path.Combine(overlay.Upper, "top.txt")).ModifySeconds);

        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Tool.Check("touch", overlay.Path("top.txt"));
        Assert.InRange(Sys.Lstat(overlay.Path("top.txt")).ModifySeconds, before, long.MaxValue);
    }

    [Fact]
    public async Task User_xattrs_can_be_set_listed_read_sized_and_removed()
    {
        await using var overlay = await MountedOverlay.StartAsync(gofer);
        var file = overlay.Path("dir/base.txt");
        Assert.Equal(0, Sys.SetXattr(file, "user.color", "blue"u8.ToArray(), Syscalls.XATTR_CREATE));
        Assert.Equal(Errno.EEXIST, Sys.SetXattr(file, "user.color", "red"u8.ToArray(), Syscalls.XATTR_CREATE));
        Assert.Equal(Errno.ENODATA, Sys.SetXattr(file, "user.none", "x"u8.ToArray(), Syscalls.XATTR_REPLACE));

        Assert.Equal(4, Sys.GetXattr(file, "user.color", 0).Result);
        Assert.Equal(-Errno.ERANGE, Sys.GetXattr(file, "user.color", 2).Result);
        Assert.Equal("blue", Encoding.UTF8.GetString(Sys.GetXattr(file, "user.color", 100).Value));
        Assert.Equal(-Errno.ENODATA, Sys.GetXattr(file, "user.none", 100).Result);

        var (size, _) = Sys.ListXattr(file, 0);
        Assert.True(size >= "user.color\0".Length);
        Assert.Contains("user.color", Encoding.UTF8.GetString(Sys.ListXattr(file, (int)size).List).Split('\0'));
        Assert.Equal(-Errno.ERANGE, Sys.ListXattr(file, 1).Result);
        Assert.Contains("user.color=\"blue\"", Tool.Check("getfattr", "-d", Path.Combine(overlay.Upper, "dir", "base.txt")), StringComparison.Ordinal);

        Assert.Equal(0, Sys.RemoveXattr(file, "user.color"));
        Assert.Equal(-Errno.ENODATA, Sys.GetXattr(file, "user.color", 100).Result);

        // security.* and system.* are never served: absent to read, unsupported to set; so ls -l
        // (which asks for ACLs and labels) says nothing.
        Assert.Equal(-Errno.ENODATA, Sys.GetXattr(file, "security.capability", 100).Result);
        Assert.Equal(Errno.EOPNOTSUPP, Sys.SetXattr(file, "security.x", "1"u8.ToArray(), 0));
        var listing = Tool.Run("ls", "-la", overlay.Root, overlay.Path("dir"));
        Assert.Equal((0, ""), (listing.ExitCode, listing.Stderr));

        // The overlay's own markers never show.
        Assert.DoesNotContain("trusted.overlay.opaque", Encoding.UTF8.GetString(Sys.ListXattr(overlay.Path("opaque"), 1000).List), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Statfs_describes_the_upper_filesystem()
    {
        await using var overlay = await MountedOverlay.StartAsync(gofer);
        var mounted = Sys.Statfs(overlay.Root);
        var upper = Sys.Statfs(overlay.Upper);
        Assert.Equal(upper.BlockSize, mounted.BlockSize);
        Assert.Equal(upper.Blocks, mounted.Blocks);
        Assert.Equal(upper.NameMax, mounted.NameMax);
        Assert.Equal(0x65735546, mounted.Type); // FUSE_SUPER_MAGIC: the kernel's, whatever is below
    }

    private static (int ExitCode, string Stdout, string Stderr) AsUser(string program, params string[] arguments) =>
        Tool.Run("setpriv", [$"--reuid={User}", $"--regid={User}", "--clear-groups", program, .. arguments]);
}
