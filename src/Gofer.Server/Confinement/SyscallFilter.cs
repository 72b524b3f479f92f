using System.Runtime.InteropServices;
using Gofer.Native;

namespace Gofer.Server.Confinement;

/// <summary>
/// The serving gofer's seccomp filter: an allowlist of system calls (<see cref="SyscallFilterPolicy"/>)
/// compiled to classic BPF and installed on every thread.
/// <para>
/// Built in code rather than through libseccomp: the gofer ships as one NativeAOT binary needing
/// nothing but libc, and libseccomp2 would be a runtime dependency (and a dlopen, impossible once
/// pivoted) for what is a few hundred instructions of straight-line BPF. Built here, the program is
/// plain data: tests run it through a BPF interpreter against chosen seccomp_data, and compare the
/// syscall numbers against the kernel headers.
/// </para>
/// </summary>
public static class SyscallFilter
{
    /// <summary>The program for a process with id <paramref name="processId"/> (tgkill and kill may only target it).</summary>
    public static BpfInstruction[] Build(int processId) =>
        SyscallFilterProgram.Compile(SyscallFilterPolicy.Rules(processId), SyscallFilterTable.X8664, SyscallFilterPolicy.DefaultAction);

    /// <summary>
    /// Sets no_new_privs and installs the filter on every thread of this process. Irrevocable: from
    /// here on the process can only make the allowed calls; threads started later inherit the filter.
    /// The policy does not depend on whether trusted.* xattrs are served: with CAP_SYS_ADMIN kept for
    /// them, this filter is what keeps mount, pivot_root, open_by_handle_at and the like away, and
    /// without it they are refused twice.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">Not x86-64: there is no allowlist for this architecture, and the gofer must not serve unconfined.</exception>
    /// <exception cref="ErrnoException">prctl or seccomp failed.</exception>
    public static void Install()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            throw new PlatformNotSupportedException($"the seccomp allowlist is written for x86-64 only, and this is {RuntimeInformation.ProcessArchitecture}");
        }

        var program = Build(Environment.ProcessId);

        // no_new_privs first, on this thread: seccomp requires it (or CAP_SYS_ADMIN), and TSYNC
        // copies it to every thread it synchronizes, so the whole process has it.
        ErrnoException.ThrowIfError(Syscalls.SetNoNewPrivileges(), "prctl(PR_SET_NO_NEW_PRIVS)");
        var result = Syscalls.InstallSeccompFilterOnEveryThread(program);
        if (result > 0)
        {
            // TSYNC names the thread it could not move (one with a filter of another lineage) and changes none.
            throw new InvalidOperationException($"seccomp(SECCOMP_FILTER_FLAG_TSYNC): thread {result} could not take the filter");
        }

        ErrnoException.ThrowIfError(result, "seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC)");
    }

    /// <summary>What the filter allows, for `gofer check`: a summary line, then the allowed calls by name.</summary>
    public static IReadOnlyList<string> Describe()
    {
        var rules = SyscallFilterPolicy.Rules(0);
        var allowed = rules.Where(r => r.IsAllowed).ToList();
        var checkedCount = allowed.Count(r => r.Checks is { Count: > 0 });
        var answered = rules.Where(r => !r.IsAllowed).Select(r => $"{r.Syscall} ({Errno.Name(r.Refused!.Value)})");
        return
        [
            $"seccomp allowlist (x86-64, every thread, no_new_privs): {allowed.Count} system calls ({checkedCount} with argument checks); "
                + $"answered with an errno: {string.Join(", ", answered)}; anything else kills the process",
            $"allowed: {string.Join(' ', allowed.Select(r => r.Syscall))}",
        ];
    }
}
