using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Gofer.Native;

/// <summary>
/// Calls on an owned descriptor or on one name relative to it, with the names as strings: for
/// code outside this assembly that checks what it opened (the spec's sources, an upper's
/// filesystem) and so must never go back to a path.
/// </summary>
public static unsafe partial class Syscalls
{
    private const uint StatxInode = 0x100;
    private const uint StatxMountId = 0x1000;

    /// <summary>An O_PATH descriptor of this process's root directory, to resolve absolute paths from.</summary>
    public static FileDescriptor? OpenProcessRoot(out int error)
    {
        fixed (byte* root = "/"u8)
        {
            return OpenAt(AT_FDCWD, root, O_PATH | O_DIRECTORY, 0, out error);
        }
    }

    // The gofer's own names as strings, for staging and its socket (never a client's, which
    // arrive as checked bytes): each is the span call of Syscalls.Names.cs on the name's UTF-8
    // bytes, so the descriptor is held for the call and a NUL in a name is EINVAL there too.

    /// <summary>openat(2) of one name relative to <paramref name="directory"/> (an O_PATH descriptor will do).</summary>
    public static FileDescriptor? OpenAt(FileDescriptor directory, string name, int flags, uint mode, out int error) =>
        OpenAt(directory, Utf8(name), flags, mode, out error);

    /// <summary>statx(2) of one name in <paramref name="directory"/>: 0 or a negated errno.</summary>
    public static int Stat(FileDescriptor directory, string name, int flags, out FileStatus status) =>
        Stat(directory, Utf8(name), flags, out status);

    /// <summary>mknodat(2) relative to <paramref name="directory"/>: 0 or a negated errno.</summary>
    public static int MknodAt(FileDescriptor directory, string name, uint mode, ulong device) =>
        MknodAt(directory, Utf8(name), mode, device);

    /// <summary>unlinkat(2) relative to <paramref name="directory"/>: 0 or a negated errno.</summary>
    public static int UnlinkAt(FileDescriptor directory, string name, int flags) =>
        UnlinkAt(directory, Utf8(name), flags);

    /// <summary>renameat2(2) of one name to another, both in <paramref name="directory"/>: 0 or a negated errno.</summary>
    public static int RenameAt2(FileDescriptor directory, string oldName, string newName, uint flags) =>
        RenameAt2(directory, Utf8(oldName), directory, Utf8(newName), flags);

    private static byte[] Utf8(string name) => System.Text.Encoding.UTF8.GetBytes(name);

    /// <summary>fsetxattr(2) on an open (not O_PATH) descriptor: 0 or a negated errno.</summary>
    public static int SetXattr(FileDescriptor file, string name, ReadOnlySpan<byte> value, int flags)
    {
        ArgumentNullException.ThrowIfNull(file);
        fixed (byte* n = Encode(name))
        fixed (byte* v = value)
        {
            return Result(LibcImports.fsetxattr(file.Fd, n, v, (nuint)value.Length, flags));
        }
    }

    /// <summary>
    /// The target of the symlink <paramref name="symlink"/> refers to (an O_PATH | O_NOFOLLOW
    /// descriptor of it): readlinkat(fd, ""), which reads that very link, not a name. Null with
    /// the errno in <paramref name="error"/> on failure.
    /// </summary>
    public static string? ReadLink(FileDescriptor symlink, out int error)
    {
        ArgumentNullException.ThrowIfNull(symlink);

        // PATH_MAX: no symlink target is longer; one byte more tells a truncated answer.
        const int pathMax = 4096;
        var buffer = stackalloc byte[pathMax + 1];
        byte empty = 0;
        var length = ReadlinkAt(symlink.Fd, &empty, buffer, pathMax + 1);
        error = length < 0 ? (int)-length : length > pathMax ? Errno.ENAMETOOLONG : 0;
        return error != 0 ? null : System.Text.Encoding.UTF8.GetString(buffer, (int)length);
    }

    /// <summary>The file and mount <paramref name="file"/> refers to (statx of the descriptor itself, never following a symlink).</summary>
    public static int Identify(FileDescriptor file, out FileIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(file);
        // struct statx as the kernel lays it out; Tmds.LibC 0.5.0 predates stx_mnt_id (it keeps
        // that space private), so the fields are read at their ABI offsets.
        const int size = 256, mask = 0, inode = 32, deviceMajor = 136, deviceMinor = 140, mountIdAt = 144;
        var buffer = stackalloc byte[size];
        byte empty = 0;
        var r = Result(statx(file.Fd, &empty, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, StatxInode | StatxMountId, (statx*)buffer));
        var mountId = (*(uint*)(buffer + mask) & StatxMountId) != 0 ? *(ulong*)(buffer + mountIdAt) : 0;
        identity = r < 0 ? default : new FileIdentity(
            FileStatus.MakeDevice(*(uint*)(buffer + deviceMajor), *(uint*)(buffer + deviceMinor)),
            *(ulong*)(buffer + inode),
            mountId);
        return r;
    }
}
