using System.Runtime.InteropServices;

namespace Gofer.Native;

/// <summary>Connected socket pairs.</summary>
public static unsafe partial class Syscalls
{
    private const int AF_UNIX = 1;
    private const int SOCK_SEQPACKET = 5;
    private const int SOCK_CLOEXEC = O_CLOEXEC;

    /// <summary>
    /// socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC): two connected ends that keep message
    /// boundaries, each read one whole message, as a /dev/fuse descriptor does (the fuzzing
    /// harness plays the kernel on one end of it).
    /// </summary>
    public static (FileDescriptor First, FileDescriptor Second) SeqPacketPair()
    {
        var fds = stackalloc int[2];
        ErrnoException.ThrowIfError(Result(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds)), "socketpair");
        return (new FileDescriptor(fds[0]), new FileDescriptor(fds[1]));
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socketpair(int domain, int type, int protocol, int* fds);
}
