using System.Runtime.InteropServices;

namespace Gofer.Native;

/// <summary>
/// The calling thread's privileges: capability sets, securebits, no_new_privs, dumpability.
/// Linux keeps all of them per thread (a thread's credentials), except dumpability, which is per
/// process: a change made here covers the calling thread only, and the threads and processes it
/// creates afterwards.
/// </summary>
public static unsafe partial class Syscalls
{
    public const int CLONE_NEWIPC = 0x08000000;
    public const int CLONE_NEWNET = 0x40000000;

    private const int PR_SET_DUMPABLE = 4;
    private const int PR_CAPBSET_READ = 23;
    private const int PR_CAPBSET_DROP = 24;
    private const int PR_GET_SECUREBITS = 27;
    private const int PR_SET_SECUREBITS = 28;
    private const int PR_SET_NO_NEW_PRIVS = 38;
    private const int PR_CAP_AMBIENT = 47;
    private const int PR_CAP_AMBIENT_RAISE = 2;
    private const int PR_CAP_AMBIENT_CLEAR_ALL = 4;

    /// <summary>_LINUX_CAPABILITY_VERSION_3: two 32-bit words per set.</summary>
    private const uint CapabilityVersion3 = 0x20080522;

    /// <summary>The calling thread's capability sets, each a bit mask indexed by capability number.</summary>
    public static int GetCapabilities(out ulong effective, out ulong permitted, out ulong inheritable)
    {
        var header = new CapabilityHeader { Version = CapabilityVersion3, Pid = 0 };
        var data = stackalloc CapabilityData[2];
        var r = Result(capget(&header, data));
        effective = data[0].Effective | ((ulong)data[1].Effective << 32);
        permitted = data[0].Permitted | ((ulong)data[1].Permitted << 32);
        inheritable = data[0].Inheritable | ((ulong)data[1].Inheritable << 32);
        return r;
    }

    /// <summary>capset(2) of the calling thread's three sets.</summary>
    public static int SetCapabilities(ulong effective, ulong permitted, ulong inheritable)
    {
        var header = new CapabilityHeader { Version = CapabilityVersion3, Pid = 0 };
        var data = stackalloc CapabilityData[2];
        data[0] = new CapabilityData { Effective = (uint)effective, Permitted = (uint)permitted, Inheritable = (uint)inheritable };
        data[1] = new CapabilityData { Effective = (uint)(effective >> 32), Permitted = (uint)(permitted >> 32), Inheritable = (uint)(inheritable >> 32) };
        return Result(capset(&header, data));
    }

    /// <summary>PR_CAPBSET_READ: whether the capability is in the calling thread's bounding set.</summary>
    public static bool InBoundingSet(int capability) => prctl(PR_CAPBSET_READ, (nuint)capability, 0, 0, 0) == 1;

    /// <summary>PR_CAPBSET_DROP: removes one capability from the calling thread's bounding set for good (EINVAL past the kernel's last one).</summary>
    public static int DropFromBoundingSet(int capability) => Result(prctl(PR_CAPBSET_DROP, (nuint)capability, 0, 0, 0));

    /// <summary>Empties the calling thread's ambient set.</summary>
    public static int ClearAmbientCapabilities() => Result(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0));

    /// <summary>Adds a capability to the ambient set (it must be permitted and inheritable).</summary>
    public static int RaiseAmbientCapability(int capability) => Result(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (nuint)capability, 0, 0));

    public static int GetSecurebits() => Result(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));

    public static int SetSecurebits(int bits) => Result(prctl(PR_SET_SECUREBITS, (nuint)bits, 0, 0, 0));

    /// <summary>PR_SET_NO_NEW_PRIVS: no execve from this thread (or its children) can gain privileges again; irreversible.</summary>
    public static int SetNoNewPrivileges() => Result(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));

    /// <summary>PR_SET_DUMPABLE 0, for the whole process: no core dumps, and ptrace or /proc/PID access to it needs CAP_SYS_PTRACE.</summary>
    public static int SetNotDumpable() => Result(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0));

    /// <summary>
    /// Sets close-on-exec on every descriptor from <paramref name="first"/> up
    /// (close_range(2) with CLOSE_RANGE_CLOEXEC), so that an exec passes on only those the caller
    /// then clears it on again.
    /// </summary>
    public static int CloseOnExecFrom(int first)
    {
        const uint closeRangeCloexec = 4;
        return Result(close_range((uint)first, uint.MaxValue, closeRangeCloexec));
    }

    /// <summary>memfd_create(2) with MFD_CLOEXEC | MFD_ALLOW_SEALING: an anonymous file the caller owns.</summary>
    public static FileDescriptor MemoryFile(string name)
    {
        const uint closeOnExec = 1;
        const uint allowSealing = 2;
        fixed (byte* n = Encode(name))
        {
            var fd = Result(Tmds.Linux.LibC.memfd_create(n, closeOnExec | allowSealing));
            return fd < 0 ? throw new ErrnoException(-fd, "memfd_create", name) : new FileDescriptor(fd);
        }
    }

    /// <summary>Seals a memory file against every further change (F_SEAL_SEAL|SHRINK|GROW|WRITE), so whoever reads it reads what was written.</summary>
    public static int SealAll(FileDescriptor fd)
    {
        const int addSeals = 1033; // F_ADD_SEALS
        const int everySeal = 0x1 | 0x2 | 0x4 | 0x8;
        return Result(Tmds.Linux.LibC.fcntl(fd.Fd, addSeals, everySeal));
    }

    /// <summary>Writes all of <paramref name="bytes"/> at the descriptor's offset.</summary>
    public static void WriteAll(FileDescriptor fd, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* p = bytes)
        {
            var done = 0;
            while (done < bytes.Length)
            {
                var n = Write(fd.Fd, p + done, bytes.Length - done);
                if (n == -Errno.EINTR)
                {
                    continue;
                }

                done += n < 0 ? throw new ErrnoException((int)-n, "write", $"descriptor {fd.Fd}") : (int)n;
            }
        }
    }

    /// <summary>Reads a descriptor from offset 0 to its end.</summary>
    public static byte[] ReadAllFrom(FileDescriptor fd)
    {
        var content = new MemoryStream();
        var buffer = new byte[64 << 10];
        fixed (byte* p = buffer)
        {
            var offset = 0L;
            while (true)
            {
                var n = Pread(fd.Fd, p, buffer.Length, offset);
                if (n == -Errno.EINTR)
                {
                    continue;
                }

                if (n <= 0)
                {
                    return n == 0 ? content.ToArray() : throw new ErrnoException((int)-n, "read", $"descriptor {fd.Fd}");
                }

                content.Write(buffer, 0, (int)n);
                offset += n;
            }
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int capget(CapabilityHeader* header, CapabilityData* data);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int capset(CapabilityHeader* header, CapabilityData* data);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close_range(uint first, uint last, uint flags);

    [StructLayout(LayoutKind.Sequential)]
    private struct CapabilityHeader
    {
        public uint Version;
        public int Pid;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CapabilityData
    {
        public uint Effective;
        public uint Permitted;
        public uint Inheritable;
    }
}
