using Gofer.Native;

namespace Gofer.Server.Hosting;

/// <summary>
/// The file a listening socket was bound at, as the one who must remove it holds it: its
/// directory (an O_PATH descriptor, since the path may no longer be reachable when it is removed),
/// its name there, and the identity of the socket inode bound, so that only that file is removed
/// and never one put at the same name since. Whoever holds this holds a way out to the host's
/// tree: a serving gofer never does (the socket keeper holds it, see <c>SocketKeeper</c>).
/// </summary>
public sealed class SocketFile : IDisposable
{
    public SocketFile(FileDescriptor directory, string name, ulong device, ulong inode)
    {
        Directory = directory;
        Name = name;
        Device = device;
        Inode = inode;
    }

    public FileDescriptor Directory { get; }

    public string Name { get; }

    public ulong Device { get; }

    public ulong Inode { get; }

    /// <summary>Removes the socket file if the name still holds the inode bound; anything else there is left alone.</summary>
    public void RemoveIfUnchanged()
    {
        if (Syscalls.Stat(Directory, Name, Syscalls.AT_SYMLINK_NOFOLLOW, out var stat) == 0 && stat.Device == Device && stat.Inode == Inode)
        {
            Syscalls.UnlinkAt(Directory, Name, 0);
        }
    }

    /// <summary>Closes the directory descriptor without removing anything (the removal was handed to someone else).</summary>
    public void Dispose() => Directory.Dispose();
}
