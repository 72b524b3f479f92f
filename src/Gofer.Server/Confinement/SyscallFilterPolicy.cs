using Gofer.Native;

namespace Gofer.Server.Confinement;

/// <summary>
/// Which system calls the serving gofer may make, and why each one. The list was found by tracing
/// the published NativeAOT gofer (strace -f) from the moment the filter goes on, then by running
/// the server, mount (tar, git, find, rm in a `gofer mount`) and FUSE end-to-end suites under the
/// filter and reading the kernel's log of killed calls (audit type 1326, in dmesg). Every call is
/// here because something named below makes it. Anything else gets <see cref="DefaultAction"/>.
/// </summary>
public static class SyscallFilterPolicy
{
    /// <summary>
    /// Anything not allowed kills the whole process (SECCOMP_RET_KILL_PROCESS), not an errno.
    /// A call outside this list is either code the gofer was never meant to run (an exploit: it
    /// must not get to probe, retry or carry on) or a runtime path the tracing did not see. For
    /// the latter an errno would be worse than death: the runtime or the service would turn it
    /// into some other failure — an exception mapped to an errno — and a client would get a silent
    /// wrong answer. Dying is loud: every client's connection breaks, the runtime (or `gofer
    /// mount`) sees the gofer end by SIGSYS, and the kernel logs the call's number, so the gap is
    /// found and this list fixed. Only calls whose callers expect and handle a refusal are
    /// answered with an errno below (clone3, madvise hints).
    /// </summary>
    public const uint DefaultAction = SyscallFilterProgram.RetKillProcess;

    // Arguments (x86-64 and generic Linux values).
    private const uint ProtExec = 0x4;
    private const uint CloneThread = 0x00010000;
    private const uint TCGETS = 0x5401;
    private const uint PrSetName = 15;

    /// <summary>Every CLONE_NEW* flag: a thread must never start in a namespace of its own.</summary>
    private const uint CloneNewAny = 0x00000080 /* NEWTIME */ | 0x00020000 /* NEWNS */ | 0x02000000 /* NEWCGROUP */
        | 0x04000000 /* NEWUTS */ | 0x08000000 /* NEWIPC */ | 0x10000000 /* NEWUSER */ | 0x20000000 /* NEWPID */ | 0x40000000 /* NEWNET */;

    /// <summary>madvise hints glibc and the .NET GC give. Others (MADV_HWPOISON, MADV_SOFT_OFFLINE with CAP_SYS_ADMIN) touch more than this process.</summary>
    private static readonly uint[] MemoryHints = [0 /* NORMAL */, 1 /* RANDOM */, 2 /* SEQUENTIAL */, 3 /* WILLNEED */, 4 /* DONTNEED */, 8 /* FREE */, 14 /* HUGEPAGE */, 15 /* NOHUGEPAGE */, 16 /* DONTDUMP */, 17 /* DODUMP */];

    /// <summary>
    /// Calls that must never pass: each one either leaves the staged layers, changes what the
    /// gofer is, or is a large kernel surface nothing here needs. They are not in the allowlist
    /// (a unit test keeps it so), and tests show each one killing a filtered process.
    /// </summary>
    public static IReadOnlyList<string> Forbidden { get; } =
    [
        // The mount table and the root: with CAP_SYS_ADMIN kept for trusted.* xattrs these would
        // undo the staging.
        "mount", "umount2", "pivot_root", "chroot", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
        // File handles name any file on a filesystem, past every mount and directory boundary.
        "open_by_handle_at", "name_to_handle_at",
        // Namespaces, other processes, the kernel itself.
        "setns", "unshare", "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_open", "pidfd_getfd",
        "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key",
        "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot", "swapon", "swapoff",
        "io_uring_setup", "io_uring_enter", "io_uring_register",
        // A new image or a new identity.
        "execve", "execveat", "fork", "vfork", "personality", "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setgroups", "capset",
        // Networking beyond the accepted connections.
        "socket", "socketpair", "connect", "bind",
    ];

    /// <summary>The rules, grouped by what makes the calls.</summary>
    public static IReadOnlyList<SyscallFilterRule> Rules(int processId) =>
    [
        // ---- the .NET runtime and glibc: memory ----
        SyscallFilterRule.AllowWhen("mmap", "the GC's and glibc's heaps, thread stacks; never executable: nothing is generated at run time under NativeAOT", new ArgumentFlags(2, 0, ProtExec)),
        SyscallFilterRule.AllowWhen("mprotect", "committing reserved GC memory, stack guard pages; never executable", new ArgumentFlags(2, 0, ProtExec)),
        SyscallFilterRule.Allow("munmap", "freeing what mmap mapped"),
        SyscallFilterRule.Allow("mremap", "glibc's realloc of large blocks"),
        SyscallFilterRule.Allow("brk", "glibc's malloc"),
        SyscallFilterRule.AllowWhenElseErrno("madvise", "the GC decommitting and marking memory (DONTNEED, FREE, DODUMP, DONTDUMP); a hint, so another answers EINVAL", Errno.EINVAL, new ArgumentIsOneOf(2, MemoryHints)),
        SyscallFilterRule.Allow("membarrier", "the runtime's FlushProcessWriteBuffers (GC suspension)"),
        SyscallFilterRule.Allow("sysinfo", "the GC's memory-load check"),

        // ---- threads and signals ----
        SyscallFilterRule.AllowWhen("clone", "new threads (the thread pool, Kestrel): only with CLONE_THREAD, so never a process; never a new namespace", new ArgumentFlags(0, CloneThread, CloneNewAny)),
        SyscallFilterRule.Answer("clone3", Errno.ENOSYS, "its flags sit in memory a filter cannot read: ENOSYS makes glibc fall back to clone, whose flags are checked above"),
        SyscallFilterRule.Allow("set_robust_list", "glibc at each thread's start"),
        SyscallFilterRule.Allow("rseq", "glibc at each thread's start"),
        SyscallFilterRule.Allow("futex", "every lock and wait"),
        SyscallFilterRule.Allow("sched_yield", "spin waits"),
        SyscallFilterRule.Allow("sched_getaffinity", "the runtime's processor count"),
        SyscallFilterRule.Allow("exit", "a thread ending"),
        SyscallFilterRule.Allow("exit_group", "the process ending"),
        SyscallFilterRule.Allow("gettid", "the runtime's thread ids"),
        SyscallFilterRule.Allow("getpid", "the runtime, Environment.ProcessId"),
        SyscallFilterRule.AllowWhen("tgkill", "the GC suspending threads (activation signal) and abort(): only this process's threads", new ArgumentIsOneOf(0, [(uint)processId])),
        SyscallFilterRule.AllowWhen("kill", "the lifeline stopping its own gofer (SIGTERM, then SIGKILL): only this process", new ArgumentIsOneOf(0, [(uint)processId])),
        SyscallFilterRule.Allow("rt_sigaction", "the runtime's and the host's signal handlers (SIGTERM, SIGINT)"),
        SyscallFilterRule.Allow("rt_sigprocmask", "glibc and the runtime, around thread starts and waits"),
        SyscallFilterRule.Allow("rt_sigreturn", "returning from a signal handler"),
        SyscallFilterRule.AllowWhen("prctl", "naming threads (PR_SET_NAME) only", new ArgumentIsOneOf(0, [PrSetName])),

        // ---- time, randomness, limits, identity ----
        SyscallFilterRule.Allow("clock_gettime", "time, when the vDSO cannot answer"),
        SyscallFilterRule.Allow("clock_nanosleep", "Thread.Sleep"),
        SyscallFilterRule.Allow("getrandom", "random numbers (hash seeds, GUIDs)"),
        SyscallFilterRule.Allow("getrusage", "the thread pool's CPU-usage sampling"),
        SyscallFilterRule.AllowWhen("prlimit64", "the descriptor budget (RLIMIT_NOFILE) and the GC (RLIMIT_AS): only this process's own limits", new ArgumentIsOneOf(0, [0])),
        // Identity: read only. .NET's FileStatus asks them when it checks access to a file of another
        // owner (seen from the host's content-root watcher before GoferHost turned it off).
        SyscallFilterRule.Allow("geteuid", ".NET's file-access checks (FileStatus)"),
        SyscallFilterRule.Allow("getuid", ".NET's file-access checks (FileStatus)"),
        SyscallFilterRule.Allow("getegid", ".NET's file-access checks (FileStatus)"),
        SyscallFilterRule.Allow("getgid", ".NET's file-access checks (FileStatus)"),
        SyscallFilterRule.Allow("getgroups", ".NET's file-access checks: is the file's group one of ours"),
        SyscallFilterRule.Allow("umask", "set to 0 once before serving (exact modes)"),
        SyscallFilterRule.Allow("getcwd", "the host builder's content root"),
        SyscallFilterRule.Allow("readlink", "the runtime looking for its own path (/proc/self/exe)"),

        // ---- descriptors, polling, sockets (the accepted connections only) ----
        SyscallFilterRule.Allow("read", "connections, files, the lifeline"),
        SyscallFilterRule.Allow("write", "connections, files, logs"),
        SyscallFilterRule.Allow("pread64", "Read"),
        SyscallFilterRule.Allow("pwrite64", "Write"),
        SyscallFilterRule.Allow("close", "every descriptor"),
        SyscallFilterRule.Allow("fcntl", "O_NONBLOCK on connections, FD_CLOEXEC"),
        SyscallFilterRule.Allow("pipe2", "the runtime's signal-handling pipe"),
        SyscallFilterRule.Allow("epoll_create1", "the socket engine"),
        SyscallFilterRule.Allow("epoll_ctl", "the socket engine"),
        SyscallFilterRule.Allow("epoll_wait", "the socket engine"),
        SyscallFilterRule.Allow("poll", "the lifeline's hangup watch"),
        SyscallFilterRule.AllowWhen("ioctl", "TCGETS only: the console logger asks whether stderr is a terminal", new ArgumentIsOneOf(1, [TCGETS])),
        SyscallFilterRule.Allow("listen", "Kestrel listening on the socket bound before staging"),
        SyscallFilterRule.Allow("accept4", "new connections"),
        SyscallFilterRule.Allow("recvmsg", "connections"),
        SyscallFilterRule.Allow("sendto", "connections"),
        SyscallFilterRule.Allow("sendmsg", "connections"),
        SyscallFilterRule.Allow("shutdown", "closing connections"),
        SyscallFilterRule.Allow("getsockopt", "Kestrel inspecting the adopted socket"),
        SyscallFilterRule.Allow("setsockopt", "the socket engine on accepted connections (SO_LINGER when one is aborted); no other kind of socket exists here"),
        SyscallFilterRule.Allow("getsockname", "Kestrel"),
        SyscallFilterRule.Allow("getpeername", "Kestrel"),

        // ---- the file service, on descriptors under the staged layers ----
        SyscallFilterRule.Allow("openat", "walking and opening (O_NOFOLLOW walks)"),
        SyscallFilterRule.Allow("newfstatat", "stat"),
        SyscallFilterRule.Allow("statx", "stat"),
        SyscallFilterRule.Allow("fstat", "stat"),
        SyscallFilterRule.Allow("stat", "the host builder looking for its content root and wwwroot"),
        SyscallFilterRule.Allow("lstat", "the host builder looking for appsettings.json"),
        SyscallFilterRule.Allow("fstatfs", "StatFs, the upper's filesystem"),
        SyscallFilterRule.Allow("getdents64", "ReadDir"),
        SyscallFilterRule.Allow("readlinkat", "ReadLink"),
        SyscallFilterRule.Allow("mkdirat", "Mkdir"),
        SyscallFilterRule.AllowWhen("mknodat", "Mknod: FIFOs and the 0/0 whiteout only, so the device number is always 0", new ArgumentIsOneOf(3, [0])),
        SyscallFilterRule.Allow("symlinkat", "Symlink"),
        SyscallFilterRule.Allow("linkat", "Link, and linking an O_TMPFILE copy-up into place"),
        SyscallFilterRule.Allow("unlinkat", "Unlink, Rmdir"),
        SyscallFilterRule.Allow("unlink", "removing the socket file at exit"),
        SyscallFilterRule.Allow("renameat", "Rename"),
        SyscallFilterRule.Allow("renameat2", "Rename (NOREPLACE, EXCHANGE, WHITEOUT)"),
        SyscallFilterRule.Allow("fchmodat", "SetAttr"),
        SyscallFilterRule.Allow("fchownat", "SetAttr, CopyUp"),
        SyscallFilterRule.Allow("utimensat", "SetAttr, CopyUp"),
        SyscallFilterRule.Allow("ftruncate", "SetAttr size, open with truncate"),
        SyscallFilterRule.Allow("fsync", "Fsync"),
        SyscallFilterRule.Allow("fdatasync", "Fsync (data only)"),
        SyscallFilterRule.Allow("copy_file_range", "CopyUp: data never crosses the socket"),
        SyscallFilterRule.Allow("getxattr", "GetXattr (by /proc/self/fd path)"),
        SyscallFilterRule.Allow("setxattr", "SetXattr, overlay markers"),
        SyscallFilterRule.Allow("listxattr", "ListXattr, CopyUp"),
        SyscallFilterRule.Allow("removexattr", "RemoveXattr"),
    ];
}
