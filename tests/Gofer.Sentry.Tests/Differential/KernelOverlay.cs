namespace Gofer.Sentry.Tests.Differential;

/// <summary>
/// The reference side: the kernel's overlayfs over a <see cref="LayerSet"/>, with the same
/// options the gofer gets. It is mounted inside a private mount namespace that lives exactly as
/// long as the executor, so the mount never shows on the host, no two runs see each other's, and
/// nothing is left mounted when a run fails: the namespace (and the mount) goes with its last process.
/// </summary>
public static class KernelOverlay
{
    /// <summary>
    /// Mounts on <see cref="LayerSet.MountPoint"/>, then execs the command <paramref name="executor"/>
    /// gives for the mount point with <paramref name="input"/> on its stdin. A failed mount exits 125
    /// with mount's message and the kernel's (the last lines of dmesg, where overlayfs says which
    /// option it refused) on stderr.
    /// </summary>
    public static Task<ExecOutput> RunAsync(LayerSet layers, Func<string, IReadOnlyList<string>> executor, string input)
    {
        ArgumentNullException.ThrowIfNull(layers);
        return RunAsync(layers.Options, layers.MountPoint, executor, input);
    }

    /// <summary>The same for layers laid out otherwise: <paramref name="options"/> is the mount's option string, as is.</summary>
    public static Task<ExecOutput> RunAsync(string options, string mountPoint, Func<string, IReadOnlyList<string>> executor, string input)
    {
        ArgumentNullException.ThrowIfNull(executor);
        return ScriptProcess.RunAsync(
            [
                "unshare", "-m", "--propagation", "private",
                // The option string and the paths travel as arguments, never through the shell's parser.
                "sh", "-c", """mount -t overlay overlay -o "$1" "$2" || { dmesg | tail -n 3 >&2; exit 125; }; shift 2; exec "$@" """, "sh",
                options, mountPoint, .. executor(mountPoint),
            ],
            input);
    }

    /// <summary>`gofer exec --dir`: the operations as plain system calls on the kernel's mount.</summary>
    public static Func<string, IReadOnlyList<string>> GoferExec(string binary) => mountPoint => [binary, "exec", "--dir", mountPoint];
}
