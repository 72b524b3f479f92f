using System.Runtime.InteropServices;

namespace Gofer.Native;

/// <summary>An owned Linux file descriptor, closed exactly once.</summary>
public sealed class FileDescriptor : SafeHandle
{
    public FileDescriptor()
        : base(new IntPtr(-1), ownsHandle: true)
    {
    }

    public FileDescriptor(int fd)
        : base(new IntPtr(-1), ownsHandle: true) => SetHandle(new IntPtr(fd));

    /// <summary>The descriptor number. Only meaningful while the handle is open.</summary>
    public int Fd => (int)handle;

    public override bool IsInvalid => (int)handle < 0;

    /// <summary>
    /// A path that names this descriptor's file for the path-only system calls (xattrs, reopening):
    /// following the magic link lands on the file itself, even a symlink, and never resolves a name.
    /// In a staged gofer the process's own fd table is bind-mounted at the same path.
    /// </summary>
    public string ProcPath => $"/proc/self/fd/{Fd}";

    protected override bool ReleaseHandle() => Tmds.Linux.LibC.close((int)handle) == 0;

    /// <summary>
    /// AT_FDCWD as a descriptor, for the *at calls on paths the gofer or its tools chose
    /// (relative ones from the working directory, absolute ones from the root). Never closed.
    /// Never for a client's name: those are looked up in a handle's directory.
    /// </summary>
    public static FileDescriptor CurrentDirectory { get; } = new(Syscalls.AT_FDCWD, ownsHandle: false);

    private FileDescriptor(int fd, bool ownsHandle)
        : base(new IntPtr(-1), ownsHandle) => SetHandle(new IntPtr(fd));

    /// <summary>Disposing the shared <see cref="CurrentDirectory"/> by mistake must not close it for every later caller.</summary>
    protected override void Dispose(bool disposing)
    {
        if (!ReferenceEquals(this, CurrentDirectory))
        {
            base.Dispose(disposing);
        }
    }
}
