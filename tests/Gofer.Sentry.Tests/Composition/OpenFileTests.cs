using System.Text;
using Gofer.Native;
using Gofer.Sentry.Composition;
using Gofer.Sentry.Launch;
using Gofer.Server.Tests;
using Gofer.Server.Tests.EndToEnd;

namespace Gofer.Sentry.Tests.Composition;

/// <summary>The sentry's handle API — open, read, write, fsync, close — and statfs, through a real gofer.</summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class OpenFileTests(PublishedGofer gofer)
{
    [Fact]
    public async Task Opening_a_lower_file_for_writing_copies_it_up_and_leaves_the_lower_alone()
    {
        using var bundle = new OverlayBundle();
        await using var process = await GoferServerProcess.StartAsync(gofer.Binary, bundle.Path, bundle.Directory.Combine("gofer.sock"));
        using var view = SentryMounts.Open(process.SocketPath, "/data");

        using (var file = view.Open("/top.txt", Syscalls.O_RDWR, 0))
        {
            Assert.Equal("top\n", Encoding.UTF8.GetString(file.Read(0, 100)));
            Assert.Equal(3, file.Write(0, "TOP"u8));
            file.Fsync();
            Assert.Equal("TOP\n", Encoding.UTF8.GetString(file.Read(0, 100)));
        }

        Assert.Equal("TOP\n", File.ReadAllText(Path.Combine(bundle.Upper, "top.txt")));
        Assert.Equal("top\n", File.ReadAllText(bundle.Directory.Combine("layers", "top:colon", "top.txt")));
        Assert.Equal(4, view.Lstat("/top.txt").Size);
    }

    [Fact]
    public async Task Reading_does_not_copy_up_and_a_closed_file_is_EBADF()
    {
        using var bundle = new OverlayBundle();
        await using var process = await GoferServerProcess.StartAsync(gofer.Binary, bundle.Path, bundle.Directory.Combine("gofer.sock"));
        using var view = SentryMounts.Open(process.SocketPath, "/data");

        var file = view.Open("/dir/base.txt", Syscalls.O_RDONLY, 0);
        Assert.Equal("base\n", Encoding.UTF8.GetString(file.Read(0, 100)));
        file.Dispose();

        Assert.False(Directory.Exists(Path.Combine(bundle.Upper, "dir")));
        Assert.Equal(Errno.EBADF, Assert.Throws<ErrnoException>(() => file.Read(0, 1)).Errno);
        Assert.Equal(Errno.EISDIR, Assert.Throws<ErrnoException>(() => view.Open("/dir", Syscalls.O_WRONLY, 0)).Errno);
    }

    [Fact]
    public async Task Create_exclusive_append_and_truncate_behave_as_open_2()
    {
        using var bundle = new OverlayBundle();
        await using var process = await GoferServerProcess.StartAsync(gofer.Binary, bundle.Path, bundle.Directory.Combine("gofer.sock"));
        using var view = SentryMounts.Open(process.SocketPath, "/data");

        using (var created = view.Open("/new", Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_EXCL, 0x1A0))
        {
            created.Write(0, "one"u8);
        }

        Assert.Equal(Errno.EEXIST, Assert.Throws<ErrnoException>(() => view.Open("/new", Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_EXCL, 0x1A0)).Errno);
        using (var appended = view.Open("/new", Syscalls.O_WRONLY | Syscalls.O_APPEND, 0))
        {
            appended.Write(0, "two"u8);
        }

        Assert.Equal("onetwo", Encoding.UTF8.GetString(view.Read("/new", 0, -1)));
        Assert.Equal(0x1A0u, view.Lstat("/new").Mode);
        using (view.Open("/top.txt", Syscalls.O_WRONLY | Syscalls.O_TRUNC, 0))
        {
            Assert.Equal(0, view.Lstat("/top.txt").Size);
        }

        Assert.Equal("top\n", File.ReadAllText(bundle.Directory.Combine("layers", "top:colon", "top.txt")));
    }

    [Fact]
    public async Task Statfs_describes_the_upper_filesystem()
    {
        using var bundle = new OverlayBundle();
        await using var process = await GoferServerProcess.StartAsync(gofer.Binary, bundle.Path, bundle.Directory.Combine("gofer.sock"));
        using var view = SentryMounts.Open(process.SocketPath, "/data");

        var statfs = view.StatFs("/dir");
        var expected = Tool.Check("stat", "-f", "-c", "%S %b", bundle.Upper).Trim().Split(' ');
        Assert.Equal(ulong.Parse(expected[0], System.Globalization.CultureInfo.InvariantCulture), statfs.BlockSize);
        Assert.Equal(ulong.Parse(expected[1], System.Globalization.CultureInfo.InvariantCulture), statfs.Blocks);
    }
}
