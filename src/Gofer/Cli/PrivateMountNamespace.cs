using Gofer.Native;

namespace Gofer.Cli;

/// <summary>
/// Puts `gofer serve` in namespaces of its own: mount (its staging root), and IPC and network,
/// which cost nothing (a pathname Unix socket — the gofer's own or the runtime's --listen-fd — is
/// reached through the filesystem, whatever network namespace either end is in) and leave the
/// gofer no System V IPC object, abstract socket or network interface of the host's. Not a pid
/// namespace: the gofer would have to fork into it, and the pid the runtime spawned (and signals,
/// and waits for) would no longer be the gofer's. Not a user namespace: the gofer runs as root of
/// whatever user namespace the runtime gives it (rootless engines give one).
/// A .NET process has several threads before Main, and unshare moves only the calling thread, so
/// the gofer unshares on this thread and at once execs itself from it: the new image starts with
/// the namespaces as a whole. The pid stays the same, so a runtime that spawned the gofer keeps
/// the right process.
/// </summary>
public static class PrivateMountNamespace
{
    /// <summary>
    /// Carries the mount namespace the gofer started in across the exec. The new image is inside
    /// its own namespace exactly when its namespace differs from that one; a stale or copied
    /// variable (naming the current namespace) makes it unshare again rather than mount on the host.
    /// </summary>
    private const string OriginVariable = "GOFER_ORIGIN_MOUNT_NAMESPACE";

    /// <summary>True when this process already runs in a namespace the gofer made for itself.</summary>
    public static bool IsEntered()
    {
        var origin = Environment.GetEnvironmentVariable(OriginVariable);
        return origin is not null && origin != CurrentNamespace();
    }

    /// <summary>The namespaces the gofer makes for itself.</summary>
    public const int Namespaces = Syscalls.CLONE_NEWNS | Syscalls.CLONE_NEWIPC | Syscalls.CLONE_NEWNET;

    /// <summary>Unshares the namespaces and re-executes this binary with the same arguments. Returns only by throwing.</summary>
    public static void ReexecInside(IReadOnlyList<string> arguments)
    {
        var origin = CurrentNamespace();
        var result = Syscalls.Unshare(Namespaces);
        if (result < 0)
        {
            throw new ErrnoException(-result, "unshare(CLONE_NEWNS|CLONE_NEWIPC|CLONE_NEWNET): gofer serve needs CAP_SYS_ADMIN (root, or root of a user namespace)");
        }

        var inherited = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value);
        inherited[OriginVariable] = origin;

        // The GC sizes its youngest generation from the CPU cache (tens of MiB here); a file
        // server's garbage is small and short-lived, and 1 MiB (hex, as the runtime reads it)
        // takes idle RSS from 37 to 29 MiB. An explicit setting from the caller wins.
        inherited.TryAdd("DOTNET_GCgen0size", "100000");
        inherited.TryAdd("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
        var environment = inherited.Select(e => $"{e.Key}={e.Value}").ToList();
        var self = Environment.ProcessPath ?? "/proc/self/exe";
        ErrnoException.ThrowIfError(Syscalls.Execve("/proc/self/exe", [self, .. arguments], environment), "execve", self);
    }

    private static string CurrentNamespace() =>
        new FileInfo("/proc/self/ns/mnt").LinkTarget ?? throw new ErrnoException(Errno.ENOENT, "readlink", "/proc/self/ns/mnt");
}
