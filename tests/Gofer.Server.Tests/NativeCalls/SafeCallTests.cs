using System.Text;
using Gofer.Native;

namespace Gofer.Server.Tests.NativeCalls;

/// <summary>
/// The safe calls of Gofer.Native, which the service uses instead of pointers: a descriptor is
/// held for the length of a call, a name is NUL-terminated by the call and may not hold a NUL,
/// and a buffer is never overrun.
/// </summary>
public class SafeCallTests
{
    [Fact]
    public void A_disposed_descriptor_answers_EBADF_and_never_reaches_the_file_that_took_its_number()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("first"), "first");
        File.WriteAllText(dir.Combine("second"), "second");
        var first = Open(dir.Combine("first"), Syscalls.O_RDONLY);
        first.Dispose();

        // Linux hands out the lowest free number, so this one most likely takes the number just
        // closed: a raw number kept after close would read this file.
        using var second = Open(dir.Combine("second"), Syscalls.O_RDONLY);

        var buffer = new byte[16];
        Assert.Equal(-Errno.EBADF, Syscalls.Pread(first, buffer, 0));
        Assert.Equal(-Errno.EBADF, Syscalls.Read(first, buffer));
        Assert.Equal(-Errno.EBADF, Syscalls.Stat(first, "x"u8, 0, out _));
        Assert.Equal(-Errno.EBADF, Xattrs.List(first, buffer));
        Assert.Null(Syscalls.Reopen(first, Syscalls.O_RDONLY, out var error));
        Assert.Equal(Errno.EBADF, error);
        Assert.Equal(6, Syscalls.Pread(second, buffer, 0));
    }

    [Fact]
    public void A_name_with_a_NUL_is_EINVAL_and_nothing_is_made_at_its_shorter_prefix()
    {
        using var temp = new TempDirectory();
        using var dir = Open(temp.Path, Syscalls.O_PATH | Syscalls.O_DIRECTORY);

        Assert.Equal(-Errno.EINVAL, Syscalls.MkdirAt(dir, "made\0hidden"u8, 0x1ed));
        Assert.Null(Syscalls.OpenAt(dir, "made\0"u8, Syscalls.O_CREAT | Syscalls.O_WRONLY, 0x1a4, out var error));
        Assert.Equal(Errno.EINVAL, error);
        Assert.Equal(-Errno.EINVAL, Syscalls.SymlinkAt("target\0more"u8, dir, "link"u8));
        Assert.Equal(-Errno.EINVAL, Xattrs.Get(dir, "trusted.a\0b"u8, new byte[8]));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Fact]
    public void Names_and_targets_longer_than_the_stack_scratch_reach_the_kernel_whole()
    {
        using var temp = new TempDirectory();
        using var dir = Open(temp.Path, Syscalls.O_PATH | Syscalls.O_DIRECTORY);
        var target = Encoding.UTF8.GetBytes(new string('t', 4000));
        var name = Encoding.UTF8.GetBytes(new string('n', 255));

        Assert.Equal(0, Syscalls.SymlinkAt(target, dir, name));
        using var link = Syscalls.OpenAt(dir, name, Syscalls.O_PATH | Syscalls.O_NOFOLLOW, 0, out _)!;
        var read = new byte[4096];
        Assert.Equal(target.Length, Syscalls.ReadLink(link, read));
        Assert.Equal(target, read[..target.Length]);
        Assert.Equal(-Errno.ENAMETOOLONG, Syscalls.MkdirAt(dir, Encoding.UTF8.GetBytes(new string('n', 256)), 0x1ed));
    }

    [Fact]
    public void Xattrs_of_an_O_PATH_descriptor_on_a_symlink_are_the_symlinks_own()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("file"), "");
        File.CreateSymbolicLink(temp.Combine("link"), "file");
        using var link = Open(temp.Combine("link"), Syscalls.O_PATH | Syscalls.O_NOFOLLOW);

        Assert.Equal(0, Xattrs.Set(link, "trusted.gofer-test"u8, "on link"u8, 0));

        var value = new byte[16];
        Assert.Equal(7, Xattrs.Get(link, "trusted.gofer-test"u8, value));
        Assert.Equal("on link"u8.ToArray(), value[..7]);
        Assert.Equal(7, Xattrs.Get(link, "trusted.gofer-test"u8, default));
        Assert.Equal(-Errno.ERANGE, Xattrs.Get(link, "trusted.gofer-test"u8, new byte[3]));
        Assert.Equal(-Errno.ENODATA, Xattrs.Get(temp.Combine("file"), "trusted.gofer-test"u8, value));
        Assert.Equal(0, Xattrs.Remove(link, "trusted.gofer-test"u8));
        Assert.Equal(-Errno.ENODATA, Xattrs.Get(link, "trusted.gofer-test"u8, value));
    }

    [Fact]
    public void Reopen_opens_the_descriptors_file_even_after_another_took_its_name()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("name"), "original");
        using var handle = Open(temp.Combine("name"), Syscalls.O_PATH);
        File.Move(temp.Combine("name"), temp.Combine("moved"));
        File.WriteAllText(temp.Combine("name"), "impostor");

        using var reopened = Syscalls.Reopen(handle, Syscalls.O_RDONLY, out _)!;

        var buffer = new byte[16];
        var n = (int)Syscalls.Pread(reopened, buffer, 0);
        Assert.Equal("original", Encoding.UTF8.GetString(buffer, 0, n));
    }

    [Fact]
    public void Poll_reports_which_descriptor_is_readable()
    {
        var (quietRead, quietWrite) = Syscalls.Pipe();
        var (wakeRead, wakeWrite) = Syscalls.Pipe();
        using (quietRead)
        using (quietWrite)
        using (wakeRead)
        using (wakeWrite)
        {
            Assert.Equal(1, Syscalls.Write(wakeWrite, [1]));

            Assert.Equal(1, Syscalls.Poll(quietRead, wakeRead, Syscalls.POLLIN, -1, out var quiet, out var wake));
            Assert.Equal(0, quiet);
            Assert.Equal(Syscalls.POLLIN, wake);
        }
    }

    [Fact]
    public void The_shared_current_directory_survives_a_mistaken_dispose()
    {
        FileDescriptor.CurrentDirectory.Dispose();

        Assert.Equal(0, Syscalls.Stat(FileDescriptor.CurrentDirectory, "/"u8, 0, out var root));
        Assert.True(root.IsDirectory);
    }

    private static FileDescriptor Open(string path, int flags) =>
        Syscalls.OpenPath(path, flags, 0, out var error) ?? throw new ErrnoException(error, "open", path);
}
