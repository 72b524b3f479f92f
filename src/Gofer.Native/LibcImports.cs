using System.Runtime.InteropServices;

namespace Gofer.Native;

/// <summary>
/// libc functions that Tmds.LibC 0.5.0 does not bind (or binds through wrappers that newer glibc
/// no longer exports). The library name matches Tmds.LibC's so one DirectPInvoke entry binds
/// both at link time in the NativeAOT build.
/// </summary>
internal static unsafe partial class LibcImports
{
    private const string Libc = "libc.so.6";

    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int mknodat(int dirfd, byte* path, uint mode, ulong dev);

    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int renameat2(int olddirfd, byte* oldpath, int newdirfd, byte* newpath, uint flags);

    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int fdatasync(int fd);

    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int fstatfs(int fd, FilesystemStatus* buf);

    [LibraryImport(Libc, SetLastError = true)]
    internal static partial nint getdents64(int fd, byte* dirp, nuint count);

    // The path variants (not f*xattr): an O_PATH descriptor cannot carry xattr calls, so the gofer
    // names the file by its /proc/self/fd magic link, which lands on the file itself.
    [LibraryImport(Libc, SetLastError = true)]
    internal static partial nint getxattr(byte* path, byte* name, byte* value, nuint size);

    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int setxattr(byte* path, byte* name, byte* value, nuint size, int flags);

    [LibraryImport(Libc, SetLastError = true)]
    internal static partial nint listxattr(byte* path, byte* list, nuint size);

    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int removexattr(byte* path, byte* name);

    [LibraryImport(Libc, SetLastError = true)]
    internal static partial nint syscall(nint number, nint a1, nint a2);

    [LibraryImport(Libc, SetLastError = true)]
    internal static partial nint copy_file_range(int fdIn, long* offIn, int fdOut, long* offOut, nuint length, uint flags);

    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int poll(PollDescriptor* fds, nuint count, int timeout);

    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int access(byte* path, int mode);

    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int getrlimit(int resource, Syscalls.Rlimit* limit);

    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int setrlimit(int resource, Syscalls.Rlimit* limit);

    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int fsetxattr(int fd, byte* name, byte* value, nuint size, int flags);

    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int open_tree(int dirfd, byte* path, uint flags);

    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int mount_setattr(int dirfd, byte* path, uint flags, MountAttributes* attributes, nuint size);

    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int move_mount(int fromDirfd, byte* fromPath, int toDirfd, byte* toPath, uint flags);
}

/// <summary>struct pollfd.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PollDescriptor
{
    public int Fd;
    public short Events;
    public short Revents;
}
