using Gofer.Native;
using Gofer.Server.Hosting;
using Gofer.Server.Tests.Service;

namespace Gofer.Server.Tests.Hosting;

/// <summary>The listening socket: its file's mode (set on the socket itself, never through the process-wide umask) and its lifetime.</summary>
public class UnixListenerTests
{
    [Fact]
    public void The_socket_file_is_made_0600_and_removed_with_the_listener()
    {
        using var directory = new TempDirectory();
        var path = directory.Combine("gofer.sock");

        using (UnixListener.Bind(path))
        {
            Assert.Equal(FileStatus.Socket | Octal.Of("600"), OnDisk.Lstat(path).Mode);
        }

        Assert.False(OnDisk.Exists(path));
    }

    [Fact]
    public void A_stale_socket_is_replaced_and_any_other_file_refused()
    {
        using var directory = new TempDirectory();
        var stale = directory.Combine("stale.sock");
        OnDisk.Mknod(stale, FileStatus.Socket | Octal.Of("777"));
        var file = directory.Combine("file");
        File.WriteAllText(file, "kept");

        using (UnixListener.Bind(stale))
        {
            Assert.Equal(FileStatus.Socket | Octal.Of("600"), OnDisk.Lstat(stale).Mode);
        }

        Assert.Equal(Errno.EEXIST, Assert.Throws<ErrnoException>(() => UnixListener.Bind(file)).Errno);
        Assert.Equal("kept", File.ReadAllText(file));
    }
}
