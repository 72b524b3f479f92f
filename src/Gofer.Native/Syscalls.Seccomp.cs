using System.Runtime.InteropServices;

namespace Gofer.Native;

/// <summary>no_new_privs and seccomp(2): the calls that confine the serving gofer's system calls.</summary>
public static unsafe partial class Syscalls
{
    private const nint SECCOMP_SET_MODE_FILTER = 1;
    private const nint SECCOMP_FILTER_FLAG_TSYNC = 1;

    /// <summary>
    /// seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, program): installs the filter on
    /// every thread of the process at once. Filters are per thread in Linux and a .NET process runs
    /// several threads before Main; TSYNC is the one way to cover the ones that already exist (the
    /// ones made later inherit it), and it also sets no_new_privs on each of them when the calling
    /// thread has it. Returns 0; a negated errno; or, when a thread could not be synchronized (it
    /// has a filter of another lineage), that thread's id, and no thread was changed.
    /// </summary>
    public static int InstallSeccompFilterOnEveryThread(ReadOnlySpan<BpfInstruction> program)
    {
        if (program.IsEmpty || program.Length > ushort.MaxValue)
        {
            return -Errno.EINVAL;
        }

        fixed (BpfInstruction* instructions = program)
        {
            var fprog = new SocketFilterProgram { Length = (ushort)program.Length, Filter = instructions };
            return (int)Result((long)syscall(SeccompNumber, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, (nint)(&fprog), 0, 0, 0));
        }
    }

    /// <summary>
    /// Makes system call <paramref name="number"/> with integer arguments and returns its result or
    /// a negated errno. Integers only, so no memory is handed over: it exists to show that a seccomp
    /// filter answers a call the gofer never makes on purpose (a filter decides before the kernel
    /// looks at the arguments).
    /// </summary>
    public static long InvokeSyscall(long number, long a0 = 0, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0) =>
        Result((long)syscall((nint)number, (nint)a0, (nint)a1, (nint)a2, (nint)a3, (nint)a4, (nint)a5));

    private static nint SeccompNumber => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 277 : 317;

    // variadic in glibc; integer arguments pass as ordinary ones on x86-64 and arm64 Linux.
    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial nint syscall(nint number, nint a0, nint a1, nint a2, nint a3, nint a4, nint a5);

    /// <summary>struct sock_fprog.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SocketFilterProgram
    {
        public ushort Length;
        public BpfInstruction* Filter;
    }
}
