using System.Text;
using Gofer.Native;
using Gofer.Sentry.FileSystem;
using FileAttributes = Gofer.Sentry.FileSystem.FileAttributes;

namespace Gofer.Sentry.Host;

/// <summary>
/// <see cref="IFileSystem"/> on a host directory with plain Linux system calls: what `gofer exec --dir`
/// runs, so that a script can be run on a kernel overlayfs mount and its output compared with the
/// composed view's. Every result and every errno is the kernel's own.
/// </summary>
/// <remarks>
/// <para>
/// The directory is opened once (O_PATH) and every path is resolved from that descriptor by
/// openat2 with RESOLVE_IN_ROOT, which is exactly the rule of the view: intermediate symlinks are
/// followed, a relative target resolves inside the directory, an absolute one from its root, and
/// <c>..</c> stops at the root. Nothing is normalised here; a leading "/" means the root and a
/// relative path is taken from the root as well.
/// </para>
/// <para>
/// Three ways of reaching the file, by what the call does with the last component:
/// calls that follow it (stat, read, write, create, truncate, chmod) resolve the whole path;
/// calls on the file itself without following it (lstat, readlink, lchown, utimes, l*xattr, the
/// source of link) resolve the whole path with O_NOFOLLOW into an O_PATH descriptor, which is the
/// symlink itself when the last component is one (a trailing slash still follows, as lstat does);
/// calls on a name (mkdir, mkfifo, symlink, unlink, rmdir, rename, the new name of link) resolve
/// the parent and hand the last component to the *at call. Calls that take no descriptor go
/// through /proc/self/fd/N, whose magic link lands on the descriptor's file itself.
/// </para>
/// <para>The caller sets the umask (`gofer exec` sets 0, so modes are applied as given).</para>
/// </remarks>
public sealed partial class HostDirectoryFileSystem : IFileSystem, IDisposable
{
    /// <summary>
    /// RESOLVE_IN_ROOT keeps every lookup inside the directory. Magic links are refused too: one
    /// met inside the directory (a procfs mounted in it) would jump outside it.
    /// </summary>
    private const ulong Scope = Syscalls.RESOLVE_IN_ROOT | Syscalls.RESOLVE_NO_MAGICLINKS;

    /// <summary>
    /// openat2 with RESOLVE_IN_ROOT fails with EAGAIN when a rename or mount anywhere on the system
    /// raced a <c>..</c> in the path; the man page's answer is to retry. Bounded, because an
    /// O_NONBLOCK open of a file under a lease gives the same errno for good.
    /// </summary>
    private const int RaceRetries = 16;

    private readonly FileDescriptor root;

    private HostDirectoryFileSystem(FileDescriptor root) => this.root = root;

    /// <summary>Opens <paramref name="directory"/> (a host path; symlinks in it followed) as the root of the view.</summary>
    /// <exception cref="ErrnoException">The directory cannot be opened.</exception>
    public static HostDirectoryFileSystem Open(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var fd = Syscalls.OpenPath(Checked(directory, "open"), Syscalls.O_PATH | Syscalls.O_DIRECTORY, 0, out var error);
        return fd is null ? throw new ErrnoException(error, "open", directory) : new HostDirectoryFileSystem(fd);
    }

    public void Dispose() => root.Dispose();

    /// <summary>openat2 of the whole path from the root, with <paramref name="flags"/>.</summary>
    private FileDescriptor Resolve(string path, int flags, uint mode, string operation)
    {
        var p = Bytes(path, operation);
        var fd = Syscalls.OpenAt2(root, p, flags, mode, Scope);
        for (var retry = 0; fd == -Errno.EAGAIN && retry < RaceRetries; retry++)
        {
            fd = Syscalls.OpenAt2(root, p, flags, mode, Scope);
        }

        return new FileDescriptor(ErrnoException.ThrowIfError(fd, operation, path));
    }

    /// <summary>An O_PATH descriptor of the file the path names, following a final symlink.</summary>
    private FileDescriptor ResolveFollowing(string path, string operation) =>
        Resolve(path, Syscalls.O_PATH, 0, operation);

    /// <summary>An O_PATH descriptor of the file the path names, the symlink itself if the last component is one.</summary>
    private FileDescriptor ResolveNoFollow(string path, string operation) =>
        Resolve(path, Syscalls.O_PATH | Syscalls.O_NOFOLLOW, 0, operation);

    /// <summary>The directory holding the last component (O_PATH), and that component's bytes.</summary>
    private (FileDescriptor Directory, byte[] Name, bool IsRoot) ResolveParent(string path, string operation)
    {
        var final = FinalComponent.Of(path);
        var name = Bytes(final.Name, operation);
        return (Resolve(final.Parent, Syscalls.O_PATH | Syscalls.O_DIRECTORY, 0, operation), name, final.IsRoot);
    }

    /// <summary>fstat of a descriptor, as <see cref="FileAttributes"/>.</summary>
    private static FileAttributes Attributes(FileDescriptor fd, string operation, string path)
    {
        ErrnoException.ThrowIfError(Syscalls.Stat(fd, out var s), operation, path);
        return new FileAttributes(
            Kind(s, operation, path),
            s.Mode & 0xFFF,
            s.Size,
            s.LinkCount,
            s.Uid,
            s.Gid,
            s.Device,
            s.Inode,
            s.RawDevice,
            (s.AccessSeconds * 1_000_000_000) + s.AccessNanoseconds,
            (s.ModifySeconds * 1_000_000_000) + s.ModifyNanoseconds);
    }

    private static FileKind Kind(FileStatus status, string operation, string path) => status.Type switch
    {
        FileStatus.Regular => FileKind.File,
        FileStatus.Directory => FileKind.Directory,
        FileStatus.Symlink => FileKind.Symlink,
        FileStatus.Fifo => FileKind.Fifo,
        FileStatus.CharDevice => FileKind.CharDevice,
        FileStatus.BlockDevice => FileKind.BlockDevice,
        FileStatus.Socket => FileKind.Socket,
        _ => throw new ErrnoException(Errno.EIO, operation, $"{path} (file type 0{Convert.ToString(status.Type, 8)})"),
    };

    /// <summary>
    /// The string as the kernel will see it. A NUL inside would end the C string early and name
    /// another, shorter path, so it is refused with the EINVAL a C caller could not even express
    /// (the system calls refuse it too; refusing here names it).
    /// </summary>
    private static string Checked(string s, string operation) =>
        s.Contains('\0', StringComparison.Ordinal)
            ? throw new ErrnoException(Errno.EINVAL, operation, s.Replace("\0", "\\0", StringComparison.Ordinal))
            : s;

    /// <summary>The UTF-8 bytes of a <see cref="Checked"/> string, for the calls that add the NUL.</summary>
    private static byte[] Bytes(string s, string operation) => Encoding.UTF8.GetBytes(Checked(s, operation));

    private static string Decode(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
