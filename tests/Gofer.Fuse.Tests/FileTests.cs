using System.IO.MemoryMappedFiles;
using System.Text;
using Gofer.Native;
using Gofer.Server.Tests.EndToEnd;

namespace Gofer.Fuse.Tests;

/// <summary>open(2) flags, reads and writes, copy-up, mmap, truncation, fsync and unlinked open files.</summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class FileTests(PublishedGofer gofer)
{
    [Fact]
    public async Task Writing_a_lower_file_copies_it_up_and_leaves_the_lower_alone()
    {
        await using var overlay = await MountedOverlay.StartAsync(gofer);
        using (var fd = Sys.Open(overlay.Path("dir/base.txt"), Syscalls.O_RDWR))
        {
            Assert.Equal(4, Sys.Pwrite(fd, "BASE"u8, 0));
            Assert.Equal("BASE\n", Encoding.UTF8.GetString(Sys.Pread(fd, 100, 0)));
        }

        Assert.Equal("BASE\n", File.ReadAllText(overlay.Path("dir/base.txt")));
        Assert.Equal("BASE\n", File.ReadAllText(Path.Combine(overlay.Upper, "dir", "base.txt")));
        Assert.Equal("base\n", File.ReadAllText(Path.Combine(overlay.Base, "dir", "base.txt")));
        Assert.Equal(MountedOverlay.BigContent, File.ReadAllBytes(overlay.Path("big.bin")));
    }

    [Fact]
    public async Task Append_truncate_exclusive_directory_and_nofollow_flags_behave_as_open_2()
    {
        await using var overlay = await MountedOverlay.StartAsync(gofer);
        using (var fd = Sys.Open(overlay.Path("new.txt"), Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_EXCL, 0x1A4))
        {
            Sys.Write(fd, "one"u8);
        }

        Assert.Equal(Errno.EEXIST, Sys.OpenError(overlay.Path("new.txt"), Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_EXCL, 0x1A4));
        using (var fd = Sys.Open(overlay.Path("new.txt"), Syscalls.O_WRONLY | Syscalls.O_APPEND))
        {
            Sys.Pwrite(fd, "two"u8, 0);
            Sys.Write(fd, "three"u8);
        }

        Assert.Equal("onetwothree", File.ReadAllText(overlay.Path("new.txt")));
        using (Sys.Open(overlay.Path("top.txt"), Syscalls.O_WRONLY | Syscalls.O_TRUNC))
        {
            Assert.Equal(0, Sys.Lstat(overlay.Path("top.txt")).Size);
        }

        Assert.Equal("", File.ReadAllText(overlay.Path("top.txt")));
        Assert.Equal("top\n", File.ReadAllText(Path.Combine(overlay.Top, "top.txt")));
        Assert.Equal(Errno.ENOTDIR, Sys.OpenError(overlay.Path("new.txt"), Syscalls.O_RDONLY | Syscalls.O_DIRECTORY));
        Assert.Equal(Errno.ELOOP, Sys.OpenError(overlay.Path("link"), Syscalls.O_RDONLY | Syscalls.O_NOFOLLOW));
        Assert.Equal(Errno.EISDIR, Sys.OpenError(overlay.Path("dir"), Syscalls.O_WRONLY));
    }

    [Fact]
    public async Task Truncate_ftruncate_and_fsync_work_through_the_mount()
    {
        await using var overlay = await MountedOverlay.StartAsync(gofer);
        using (var fd = Sys.Open(overlay.Path("big.bin"), Syscalls.O_RDWR))
        {
            ErrnoException.ThrowIfError(Syscalls.Ftruncate(fd, 10), "ftruncate");
            Assert.Equal(10, Sys.Fstat(fd).Size);
            ErrnoException.ThrowIfError(Syscalls.Fsync(fd, dataOnly: false), "fsync");
            ErrnoException.ThrowIfError(Syscalls.Fsync(fd, dataOnly: true), "fdatasync");
        }

        Assert.Equal(MountedOverlay.BigContent[..10], File.ReadAllBytes(overlay.Path("big.bin")));
        File.WriteAllText(overlay.Path("t.txt"), "0123456789");
        Assert.Equal(0, Truncate(overlay.Path("t.txt"), 4));
        Assert.Equal("0123", File.ReadAllText(overlay.Path("t.txt")));
        Assert.Equal(4, new FileInfo(Path.Combine(overlay.Upper, "t.txt")).Length);
    }

    [Fact]
    public async Task An_unlinked_open_file_can_still_be_read_written_and_fstatted()
    {
        await using var overlay = await MountedOverlay.StartAsync(gofer);
        File.WriteAllText(overlay.Path("doomed.txt"), "before");
        using var fd = Sys.Open(overlay.Path("doomed.txt"), Syscalls.O_RDWR);
        File.Delete(overlay.Path("doomed.txt"));
        Assert.Equal(Errno.ENOENT, Sys.LstatError(overlay.Path("doomed.txt")));

        Sys.Pwrite(fd, "after!"u8, 0);
        Assert.Equal("after!", Encoding.UTF8.GetString(Sys.Pread(fd, 100, 0)));
        var status = Sys.Fstat(fd);
        Assert.Equal(6, status.Size);
        Assert.Equal(0u, status.LinkCount);
        ErrnoException.ThrowIfError(Syscalls.Ftruncate(fd, 2), "ftruncate");
        Assert.Equal(2, Sys.Fstat(fd).Size);
        Assert.False(File.Exists(Path.Combine(overlay.Upper, "doomed.txt")));
    }

    /// <summary>truncate(2) of a path: looked up once (following a final symlink), then truncated without being opened.</summary>
    private static int Truncate(string path, long size)
    {
        using var fd = Sys.Open(path, Syscalls.O_PATH);
        return -Syscalls.Truncate(fd, size);
    }
}
