using System.Text.RegularExpressions;
using Gofer.Native;
using Gofer.Server.Confinement;
using static Gofer.Server.Tests.Confinement.BpfInterpreter;

namespace Gofer.Server.Tests.Confinement;

/// <summary>The compiled filter, run through <see cref="BpfInterpreter"/>: what it decides for chosen calls.</summary>
public sealed partial class SyscallFilterProgramTests
{
    private const int Pid = 4242;
    private const uint Kill = SyscallFilterProgram.RetKillProcess;
    private const uint Allow = SyscallFilterProgram.RetAllow;

    // What glibc's pthread_create passes to clone (CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID).
    private const ulong GlibcThreadFlags = 0x3D0F00;

    private static readonly BpfInstruction[] Filter = SyscallFilter.Build(Pid);

    private static uint Decide(string name, params ulong[] arguments) => Run(Filter, SeccompData.X8664(name, arguments));

    [Fact]
    public void Every_unconditionally_allowed_call_is_allowed_whatever_its_arguments()
    {
        foreach (var rule in SyscallFilterPolicy.Rules(Pid).Where(r => r.IsAllowed && r.Checks is null))
        {
            Assert.Equal(Allow, Decide(rule.Syscall));
            Assert.Equal(Allow, Decide(rule.Syscall, ulong.MaxValue, 1, 2, 3, 4, 5));
        }
    }

    [Fact]
    public void Every_forbidden_call_kills_and_none_has_a_rule()
    {
        var ruled = SyscallFilterPolicy.Rules(Pid).Select(r => r.Syscall).ToHashSet();
        foreach (var name in SyscallFilterPolicy.Forbidden)
        {
            Assert.DoesNotContain(name, ruled);
            Assert.Equal(Kill, Decide(name));
        }

        foreach (var name in new[] { "mount", "umount2", "pivot_root", "chroot", "open_by_handle_at", "name_to_handle_at", "setns", "unshare", "ptrace", "bpf", "keyctl", "add_key", "request_key", "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "fsopen", "fsconfig", "fsmount", "move_mount", "open_tree", "mount_setattr", "perf_event_open", "userfaultfd", "process_vm_readv", "process_vm_writev", "io_uring_setup", "io_uring_enter", "io_uring_register", "execve", "execveat", "personality" })
        {
            Assert.Contains(name, SyscallFilterPolicy.Forbidden);
        }
    }

    [Fact]
    public void Every_number_the_table_has_no_rule_for_kills()
    {
        var allowed = SyscallFilterPolicy.Rules(Pid).Select(r => SyscallFilterTable.X8664[r.Syscall]).ToHashSet();
        for (var nr = 0; nr < 1024; nr++)
        {
            if (!allowed.Contains(nr))
            {
                Assert.Equal(Kill, Run(Filter, new SeccompData(nr, SyscallFilterProgram.AuditArchX8664)));
            }
        }
    }

    [Fact]
    public void Another_architecture_or_the_x32_abi_kills_even_for_an_allowed_number()
    {
        const uint auditArchI386 = 0x40000003;
        var read = SyscallFilterTable.X8664["read"];
        Assert.Equal(Allow, Run(Filter, new SeccompData(read, SyscallFilterProgram.AuditArchX8664)));
        Assert.Equal(Kill, Run(Filter, new SeccompData(read, auditArchI386)));
        Assert.Equal(Kill, Run(Filter, new SeccompData(read | (int)SyscallFilterProgram.X32SyscallBit, SyscallFilterProgram.AuditArchX8664)));
    }

    [Fact]
    public void Clone_makes_threads_only_never_processes_or_namespaces()
    {
        Assert.Equal(Allow, Decide("clone", GlibcThreadFlags));
        Assert.Equal(Kill, Decide("clone", 17 /* SIGCHLD: fork */));
        Assert.Equal(Kill, Decide("clone", GlibcThreadFlags & ~0x10000UL /* no CLONE_THREAD */));
        foreach (var newNamespace in new ulong[] { 0x80, 0x20000, 0x2000000, 0x4000000, 0x8000000, 0x10000000, 0x20000000, 0x40000000 })
        {
            Assert.Equal(Kill, Decide("clone", GlibcThreadFlags | newNamespace));
        }

        // clone3's flags are in memory the filter cannot read: it is answered ENOSYS so glibc falls back to clone.
        Assert.Equal(SyscallFilterProgram.Errno(Errno.ENOSYS), Decide("clone3"));
    }

    [Fact]
    public void No_new_socket_and_only_the_ioctl_the_console_logger_makes()
    {
        Assert.Equal(Kill, Decide("socket", 1 /* AF_UNIX */, 1));
        Assert.Equal(Kill, Decide("socket", 2 /* AF_INET */, 1));
        Assert.Equal(Allow, Decide("ioctl", 2, 0x5401 /* TCGETS */));
        Assert.Equal(Kill, Decide("ioctl", 2, 0x541B /* FIONREAD */));
        Assert.Equal(Kill, Decide("ioctl", 2, 0x5412 /* TIOCSTI */));
        Assert.Equal(Kill, Decide("ioctl", 2, 0x40086602 /* FS_IOC_SETFLAGS */));
    }

    [Fact]
    public void Signals_and_limits_reach_this_process_only()
    {
        Assert.Equal(Allow, Decide("tgkill", Pid, Pid + 1, 35));
        Assert.Equal(Kill, Decide("tgkill", 1, 1, 9));
        Assert.Equal(Allow, Decide("kill", Pid, 15));
        Assert.Equal(Kill, Decide("kill", 1, 15));
        Assert.Equal(Kill, Decide("kill", 0, 15)); // the process group
        Assert.Equal(Kill, Decide("kill", ulong.MaxValue, 9)); // every process
        Assert.Equal(Allow, Decide("prlimit64", 0, 7));
        Assert.Equal(Kill, Decide("prlimit64", 1, 7));
        Assert.Equal(Allow, Decide("prctl", 15 /* PR_SET_NAME */));
        Assert.Equal(Kill, Decide("prctl", 4 /* PR_SET_DUMPABLE */));
        Assert.Equal(Kill, Decide("prctl", 38 /* PR_SET_NO_NEW_PRIVS */));
    }

    [Fact]
    public void Memory_is_never_made_executable_and_odd_madvise_hints_are_refused()
    {
        Assert.Equal(Allow, Decide("mmap", 0, 4096, 3 /* READ|WRITE */, 0x22));
        Assert.Equal(Kill, Decide("mmap", 0, 4096, 5 /* READ|EXEC */, 0x22));
        Assert.Equal(Allow, Decide("mprotect", 0, 4096, 0));
        Assert.Equal(Kill, Decide("mprotect", 0, 4096, 7));
        Assert.Equal(Allow, Decide("madvise", 0, 4096, 4 /* DONTNEED */));
        Assert.Equal(SyscallFilterProgram.Errno(Errno.EINVAL), Decide("madvise", 0, 4096, 100 /* HWPOISON */));
    }

    [Fact]
    public void Mknod_makes_no_device_but_the_whiteout()
    {
        Assert.Equal(Allow, Decide("mknodat", 3, 0, 0x2000 /* S_IFCHR */, 0));
        Assert.Equal(Kill, Decide("mknodat", 3, 0, 0x6000 /* S_IFBLK */, 0x801));
    }

    [Fact]
    public void Argument_checks_compile_to_what_they_mean()
    {
        // Several checks on one call, several values and several required bits: the jumps must
        // land right for every combination (and a failed check take the rule's own errno).
        var rule = SyscallFilterRule.AllowWhenElseErrno(
            "read", "test", Errno.EPERM,
            new ArgumentIsOneOf(0, [1, 5, 9]),
            new ArgumentFlags(1, Required: 0b1010, Forbidden: 0b0100),
            new ArgumentIsOneOf(2, [7]));
        var program = SyscallFilterProgram.Compile([rule, SyscallFilterRule.Allow("write", "test")], SyscallFilterTable.X8664, Kill);
        foreach (var a0 in new ulong[] { 0, 1, 5, 9, 10 })
        {
            for (ulong a1 = 0; a1 < 16; a1++)
            {
                foreach (var a2 in new ulong[] { 7, 8, 7UL | (1UL << 32) })
                {
                    var holds = rule.Checks!.All(c => c.Holds((uint)(c.Index switch { 0 => a0, 1 => a1, _ => a2 })));
                    Assert.Equal(holds ? Allow : SyscallFilterProgram.Errno(Errno.EPERM), Run(program, SeccompData.X8664("read", a0, a1, a2)));
                }
            }
        }

        Assert.Equal(Allow, Run(program, SeccompData.X8664("write")));
        Assert.Equal(Kill, Run(program, SeccompData.X8664("close")));
    }

    [Fact]
    public void A_rule_twice_or_a_name_without_a_number_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() => SyscallFilterProgram.Compile([SyscallFilterRule.Allow("read", "a"), SyscallFilterRule.Allow("read", "b")], SyscallFilterTable.X8664, Kill));
        Assert.Throws<InvalidOperationException>(() => SyscallFilterProgram.Compile([SyscallFilterRule.Allow("no_such_call", "a")], SyscallFilterTable.X8664, Kill));
    }

    [Fact]
    public void The_builder_refuses_long_jumps_and_a_program_without_a_final_return()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BpfProgram().JumpEqual(1, 256, 0));
        Assert.Throws<InvalidOperationException>(() => new BpfProgram().Load(0).ToArray());
        Assert.Throws<InvalidOperationException>(() => new BpfProgram().ToArray());
        Assert.InRange(Filter.Length, 1, BpfProgram.MaxLength);
    }

    [Fact]
    public void The_table_matches_the_kernel_headers()
    {
        // linux-libc-dev, which the NativeAOT toolchain (libc6-dev) brings with it.
        var header = File.ReadAllText("/usr/include/x86_64-linux-gnu/asm/unistd_64.h");
        var numbers = DefinePattern().Matches(header).ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (name, number) in SyscallFilterTable.X8664)
        {
            Assert.True(numbers.TryGetValue(name, out var expected), $"{name} is not in asm/unistd_64.h");
            Assert.Equal((name, expected), (name, number));
        }

        // And it holds exactly the calls the policy names.
        var named = SyscallFilterPolicy.Rules(Pid).Select(r => r.Syscall).Concat(SyscallFilterPolicy.Forbidden).Order(StringComparer.Ordinal);
        Assert.Equal(named, SyscallFilterTable.X8664.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Describe_counts_and_names_the_allowed_calls()
    {
        var lines = SyscallFilter.Describe();
        var allowed = SyscallFilterPolicy.Rules(0).Count(r => r.IsAllowed);
        Assert.Contains($"{allowed} system calls", lines[0], StringComparison.Ordinal);
        Assert.Contains("clone3 (ENOSYS)", lines[0], StringComparison.Ordinal);
        Assert.Contains(" openat ", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain(" mount ", lines[1] + " ", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"#define __NR_(\w+) (\d+)")]
    private static partial Regex DefinePattern();
}
