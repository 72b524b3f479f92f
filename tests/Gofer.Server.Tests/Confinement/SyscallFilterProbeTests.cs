using System.Diagnostics;
using System.Globalization;
using Gofer.Native;
using Gofer.Server.Tests.EndToEnd;

namespace Gofer.Server.Tests.Confinement;

/// <summary>The syscall-filter-probe test program (tests/Gofer.SyscallFilterProbe), published NativeAOT once per run.</summary>
public sealed class PublishedProbe
{
    public string Binary { get; } = PublishedGofer.Publish(Path.Combine("tests", "Gofer.SyscallFilterProbe"), "syscall-filter-probe");
}

/// <summary>
/// The installed filter, in the kernel: a process that installed the gofer's filter makes each
/// forbidden call and is killed by SIGSYS before the kernel looks at the arguments; the same call
/// unfiltered returns (an error or a result), so the test is not vacuous. Arguments are chosen so
/// that each call is harmless when it does run.
/// </summary>
public sealed class SyscallFilterProbeTests(PublishedProbe probe) : IClassFixture<PublishedProbe>
{
    private const int Sigsys = 31;

    public static TheoryData<string, string[]> ForbiddenCalls => new()
    {
        { "mount", [] },
        { "umount2", [] },
        { "pivot_root", [] },
        { "chroot", [] },
        { "fsopen", [] },
        { "fsconfig", ["-1"] },
        { "fsmount", ["-1"] },
        { "fspick", ["-1"] },
        { "move_mount", ["-1"] },
        { "open_tree", ["-1"] },
        { "mount_setattr", ["-1"] },
        { "open_by_handle_at", ["-1"] },
        { "name_to_handle_at", ["-1"] },
        { "setns", ["-1"] },
        { "unshare", ["0"] },
        { "ptrace", ["-1"] }, // not PTRACE_TRACEME (0): that would make the test runner this process's tracer
        { "process_vm_readv", ["0"] },
        { "process_vm_writev", ["0"] },
        { "bpf", ["-1"] },
        { "perf_event_open", [] },
        { "userfaultfd", ["-1"] },
        { "keyctl", ["-1"] },
        { "add_key", [] },
        { "request_key", [] },
        { "kexec_load", ["0", "0", "0", "-1"] }, // invalid flags: never unloads a loaded kernel
        { "kexec_file_load", ["-1", "-1", "0", "0", "-1"] },
        { "init_module", [] },
        { "finit_module", ["-1"] },
        { "delete_module", [] },
        { "io_uring_setup", [] },
        { "io_uring_enter", ["-1"] },
        { "io_uring_register", ["-1"] },
        { "execve", [] },
        { "execveat", ["-1"] },
        { "personality", ["4294967295"] }, // 0xffffffff only queries
        { "socket", ["2", "1", "0"] }, // AF_INET
        { "socket", ["1", "1", "0"] }, // AF_UNIX: the gofer makes no socket once serving
        { "socketpair", ["1", "1", "0", "0"] },
        { "setuid", ["-1"] },
        { "setresuid", ["-1", "-1", "-1"] },
        { "capset", [] },
        { "ioctl", ["0", "0x541B"] }, // FIONREAD: only TCGETS is allowed
        { "ioctl", ["0", "0x5412"] }, // TIOCSTI
        { "kill", ["1", "0"] }, // another process
        { "prlimit64", ["1", "7", "0", "0"] }, // another process's limits
        { "prctl", ["4", "1"] }, // PR_SET_DUMPABLE: only PR_SET_NAME is allowed
        { "mmap", ["0", "4096", "5", "34", "-1", "0"] }, // PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS
        { "mprotect", ["0", "0", "7"] },
        { "mknodat", ["-100", "0", "24576", "2049"] }, // a block device (S_IFBLK, 8:1)
    };

    [Theory]
    [MemberData(nameof(ForbiddenCalls))]
    public void A_forbidden_call_kills_the_filtered_process(string name, string[] arguments)
    {
        var (exit, output) = Run([name, .. Numbers(arguments)]);
        Assert.Equal(("killed by SIGSYS", "filtered\n"), (Describe(exit), output));

        var (unfilteredExit, unfilteredOutput) = Run(["--unfiltered", name, .. Numbers(arguments)]);
        Assert.Equal(0, unfilteredExit);
        Assert.StartsWith("returned ", unfilteredOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void Fork_through_clone_and_a_thread_in_a_new_namespace_kill()
    {
        // Not run unfiltered: either would make a process or a thread of the probe.
        Assert.Equal("killed by SIGSYS", Describe(Run(["clone", "17"]).Exit)); // SIGCHLD alone: fork
        Assert.Equal("killed by SIGSYS", Describe(Run(["clone", (0x3D0F00 | 0x20000).ToString(CultureInfo.InvariantCulture)]).Exit)); // a thread with CLONE_NEWNS
        Assert.Equal("killed by SIGSYS", Describe(Run(["fork"]).Exit));
        Assert.Equal("killed by SIGSYS", Describe(Run(["vfork"]).Exit));
    }

    [Fact]
    public void Calls_answered_with_an_errno_get_the_filters_errno_not_the_kernels()
    {
        // clone3 is answered ENOSYS so that glibc falls back to clone; unfiltered, a null argument is EFAULT or EINVAL.
        Assert.Equal((0, $"filtered\nreturned {-Errno.ENOSYS}\n"), Run(["clone3", "0", "0"]));
        Assert.NotEqual($"returned {-Errno.ENOSYS}\n", Run(["--unfiltered", "clone3", "0", "0"]).Output);

        // A madvise hint off the list is refused: MADV_COLD on no memory, which the kernel accepts (0).
        Assert.Equal((0, $"filtered\nreturned {-Errno.EINVAL}\n"), Run(["madvise", "0", "0", "20"]));
        Assert.Equal((0, "returned 0\n"), Run(["--unfiltered", "madvise", "0", "0", "20"]));
    }

    [Fact]
    public void Allowed_calls_run_under_the_filter()
    {
        var (exit, output) = Run(["getpid"]);
        Assert.Equal(0, exit);
        Assert.Matches("^filtered\nreturned [1-9][0-9]*\n$", output);

        // The process's own signals and limits: tgkill(self, self, 0) checks the thread exists.
        Assert.Equal((0, "filtered\nreturned 0\n"), Run(["kill", "self", "0"]));
        Assert.Equal((0, "filtered\nreturned 0\n"), Run(["tgkill", "self", "self", "0"]));
        Assert.Equal((0, "filtered\nreturned 0\n"), Run(["prlimit64", "0", "7", "0", "0"]));
    }

    private static string[] Numbers(string[] arguments) =>
        [.. arguments.Select(a => a.StartsWith("0x", StringComparison.Ordinal) ? long.Parse(a[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) : a)];

    /// <summary>.NET reports a child killed by signal N as exit status 128 + N.</summary>
    private static string Describe(int exit) => exit == 128 + Sigsys ? "killed by SIGSYS" : $"exit status {exit}";

    private (int Exit, string Output) Run(string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(probe.Binary, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Assert.Equal("", error.Result);
        return (process.ExitCode, output.Result);
    }
}
