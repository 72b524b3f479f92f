using System.Net.Sockets;
using Gofer.Native;

namespace Gofer.Server.Hosting;

/// <summary>
/// The listening Unix socket, bound by the gofer itself before it gives up the host's view, so
/// that it can then be served from inside the staging root by descriptor.
/// </summary>
public sealed class UnixListener : IDisposable
{
    private SocketFile? file;

    private UnixListener(Socket socket, SocketFile? file)
    {
        Socket = socket;
        this.file = file;
    }

    public Socket Socket { get; }

    /// <summary>
    /// Binds and listens on <paramref name="path"/>. A socket file left by a killed gofer is removed
    /// first; any other kind of file there is refused, never deleted. The socket is made mode 0600
    /// before bind(2), so there is no instant at which others may connect.
    /// </summary>
    public static UnixListener Bind(string path)
    {
        var full = Path.GetFullPath(path);

        // sun_path holds 108 bytes with its NUL; a longer path could only be bound truncated.
        const int socketPathLimit = 107;
        if (System.Text.Encoding.UTF8.GetByteCount(full) > socketPathLimit)
        {
            throw new ErrnoException(Errno.ENAMETOOLONG, "bind socket", full);
        }

        var parent = Path.GetDirectoryName(full) ?? "/";
        var name = Path.GetFileName(full);

        // Kept (O_PATH) until the removal is handed over, since the path is unreachable once the
        // gofer has pivoted; see SocketFile.
        var dir = Syscalls.OpenPath(parent, Syscalls.O_PATH | Syscalls.O_DIRECTORY, "open socket directory");
        try
        {
            RemoveStale(dir, name, full);
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

            // bind(2) makes the socket file with the socket inode's own mode minus the umask, so a
            // 0600 set on the socket first gives a 0600 file with no instant at which others may
            // connect. Not the umask: it is process-wide, the host sets it to 0 for exact modes,
            // and swapping it here would race with any other thread making files.
            const uint ownerOnly = 0x180; // 0600
            ErrnoException.ThrowIfError(Syscalls.Fchmod((int)socket.Handle, ownerOnly), "chmod socket", full);
            try
            {
                socket.Bind(new UnixDomainSocketEndPoint(full));
                socket.Listen(512);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                throw new ErrnoException(e.NativeErrorCode, "bind socket", full);
            }

            ErrnoException.ThrowIfError(Syscalls.Stat(dir, name, Syscalls.AT_SYMLINK_NOFOLLOW, out var stat), "stat socket", full);
            return new UnixListener(socket, new SocketFile(dir, name, stat.Device, stat.Inode));
        }
        catch
        {
            dir.Dispose();
            throw;
        }
    }

    /// <summary>Adopts a socket the runtime already bound and listens on (<c>--listen-fd</c>); its file is the runtime's to remove.</summary>
    public static UnixListener Adopt(int fd)
    {
        Socket socket;
        try
        {
            socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        }
        catch (SocketException e)
        {
            throw new ErrnoException(e.NativeErrorCode, "listen-fd", fd.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (socket.AddressFamily != AddressFamily.Unix || socket.SocketType != SocketType.Stream)
        {
            throw new ErrnoException(Errno.EINVAL, "listen-fd", $"{fd} is not a Unix stream socket");
        }

        return new UnixListener(socket, null);
    }

    /// <summary>
    /// Hands the duty of removing the socket file to the caller (null when this listener made
    /// none): from then on this listener holds no descriptor on the host's directory and removes
    /// nothing.
    /// </summary>
    public SocketFile? ReleaseFile()
    {
        var released = file;
        file = null;
        return released;
    }

    private static void RemoveStale(FileDescriptor dir, string name, string full)
    {
        if (Syscalls.Stat(dir, name, Syscalls.AT_SYMLINK_NOFOLLOW, out var stat) < 0)
        {
            return;
        }

        if (stat.Type != FileStatus.Socket)
        {
            throw new ErrnoException(Errno.EEXIST, "replace stale socket (what is there is not a socket)", full);
        }

        ErrnoException.ThrowIfError(Syscalls.UnlinkAt(dir, name, 0), "remove stale socket", full);
    }

    /// <summary>Closes the socket and removes its file, if this listener still holds that duty and the file is still the one it made.</summary>
    public void Dispose()
    {
        Socket.Dispose();
        if (ReleaseFile() is { } owned)
        {
            owned.RemoveIfUnchanged();
            owned.Dispose();
        }
    }
}
