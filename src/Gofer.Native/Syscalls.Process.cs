using System.Runtime.InteropServices;
using System.Text;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Gofer.Native;

/// <summary>Calls that change the process: namespaces, mounts, its root, its image.</summary>
public static unsafe partial class Syscalls
{
    public const int CLONE_NEWNS = 0x00020000;

    public const ulong MS_RDONLY = 1;
    public const ulong MS_NOSUID = 2;
    public const ulong MS_NODEV = 4;
    public const ulong MS_NOEXEC = 8;
    public const ulong MS_REMOUNT = 32;
    public const ulong MS_BIND = 4096;
    public const ulong MS_REC = 16384;
    public const ulong MS_PRIVATE = 1 << 18;
    public const ulong MS_NOATIME = 1024;
    public const ulong MS_NODIRATIME = 2048;
    public const ulong MS_RELATIME = 1 << 21;
    public const ulong MS_STRICTATIME = 1 << 24;

    // statfs(2) f_flags: the flags of the mount a file is on.
    public const long ST_RDONLY = 1;
    public const long ST_NOEXEC = 8;
    public const long ST_NOATIME = 1024;
    public const long ST_NODIRATIME = 2048;
    public const long ST_RELATIME = 4096;

    public const int MNT_DETACH = 2;

    public static int Unshare(int flags) => Result(unshare(flags));

    /// <summary>mount(2); null strings are passed as NULL.</summary>
    public static int Mount(string? source, string target, string? type, ulong flags, string? data)
    {
        fixed (byte* s = Encode(source), t = Encode(target), y = Encode(type), d = Encode(data))
        {
            return Result(mount(s, t, y, (ulong_t)flags, d));
        }
    }

    public static int Umount2(string target, int flags)
    {
        fixed (byte* t = Encode(target))
        {
            return Result(umount2(t, flags));
        }
    }

    /// <summary>pivot_root(2), which libc does not wrap.</summary>
    public static int PivotRoot(string newRoot, string putOld)
    {
        var number = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 41 : 155;
        fixed (byte* n = Encode(newRoot), p = Encode(putOld))
        {
            return Result((int)LibcImports.syscall(number, (nint)n, (nint)p));
        }
    }

    public static int Chdir(string path)
    {
        fixed (byte* p = Encode(path))
        {
            return Result(chdir(p));
        }
    }

    public static uint Umask(uint mask) => (uint)umask((mode_t)mask);

    /// <summary>pipe2(O_CLOEXEC): a read end and a write end, neither inherited by children unless asked.</summary>
    public static (FileDescriptor Read, FileDescriptor Write) Pipe()
    {
        var fds = stackalloc int[2];
        ErrnoException.ThrowIfError(Result(pipe2(fds, O_CLOEXEC)), "pipe2");
        return (new FileDescriptor(fds[0]), new FileDescriptor(fds[1]));
    }

    /// <summary>Lets a descriptor survive exec (clears FD_CLOEXEC), to hand it to a child by number.</summary>
    public static int Inherit(int fd) => SetDescriptorFlags(fd, 0);

    /// <summary>Keeps a descriptor from any later exec (sets FD_CLOEXEC), once it was handed over by number.</summary>
    public static int CloseOnExec(int fd) => SetDescriptorFlags(fd, 1 /* FD_CLOEXEC */);

    /// <summary>setsid(2): a new session and process group, away from the caller's terminal.</summary>
    public static int Setsid() => Result(setsid());

    /// <summary>kill(2).</summary>
    public static int Kill(int pid, int signal) => Result(kill(pid, signal));

    /// <summary>The effective user id.</summary>
    public static uint EffectiveUserId() => (uint)geteuid();

    /// <summary>
    /// Whether a process with this pid exists (kill(pid, 0)): EPERM means it exists but belongs to
    /// another user. A zombie still counts, and a pid may have been reused; callers must only act
    /// on "gone".
    /// </summary>
    public static bool ProcessExists(int pid) => pid > 0 && (kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() != Errno.ESRCH);

    /// <summary>
    /// Blocks until the other end of a pipe is gone: poll(2) reports POLLHUP on a read end once
    /// every write end is closed, whoever held it and however it ended. Returns 0 then, or a
    /// negated errno; data written meanwhile is ignored (it is not read).
    /// </summary>
    public static int WaitForHangup(int fd)
    {
        const short pollHangup = 0x10; // POLLHUP
        const short pollError = 0x8; // POLLERR
        const short pollInvalid = 0x20; // POLLNVAL
        while (true)
        {
            // Events 0: only the conditions poll always reports (hangup, error, invalid) wake it.
            var descriptor = new PollDescriptor { Fd = fd, Events = 0 };
            var n = Result(LibcImports.poll(&descriptor, 1, -1));
            if (n == -Errno.EINTR)
            {
                continue;
            }

            if (n < 0)
            {
                return n;
            }

            if ((descriptor.Revents & pollInvalid) != 0)
            {
                return -Errno.EBADF;
            }

            if ((descriptor.Revents & (pollHangup | pollError)) != 0)
            {
                return 0;
            }
        }
    }

    /// <summary>execve(2): replaces the process image, keeping its pid and its descriptors without O_CLOEXEC.</summary>
    public static int Execve(string path, IReadOnlyList<string> arguments, IReadOnlyList<string> environment)
    {
        var strings = new List<nint>();
        try
        {
            nint Pin(string s)
            {
                var p = Marshal.StringToCoTaskMemUTF8(s);
                strings.Add(p);
                return p;
            }

            var argv = stackalloc byte*[arguments.Count + 1];
            for (var i = 0; i < arguments.Count; i++)
            {
                argv[i] = (byte*)Pin(arguments[i]);
            }

            argv[arguments.Count] = null;
            var envp = new byte*[environment.Count + 1];
            for (var i = 0; i < environment.Count; i++)
            {
                envp[i] = (byte*)Pin(environment[i]);
            }

            fixed (byte** e = envp)
            fixed (byte* p = Encode(path))
            {
                return Result(execve(p, argv, e));
            }
        }
        finally
        {
            strings.ForEach(Marshal.FreeCoTaskMem);
        }
    }

    /// <summary>A NUL-terminated UTF-8 copy of a path (null for null).</summary>
    public static byte[]? Encode(string? s)
    {
        if (s is null)
        {
            return null;
        }

        var bytes = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, bytes);
        return bytes;
    }

    private static int SetDescriptorFlags(int fd, int flags)
    {
        const int setDescriptorFlags = 2; // F_SETFD
        return Result(fcntl(fd, setDescriptorFlags, flags));
    }
}
