using Gofer.Server.Spec;

namespace Gofer.Server.Confinement;

/// <summary>
/// What the serving gofer keeps of root's capabilities: only what file service on behalf of a
/// container's root needs, each for the reason given. Everything else is gone from every set,
/// the bounding set included, in every thread (see <see cref="ExecPrivileges"/>).
/// </summary>
/// <remarks>
/// Deliberately absent: CAP_DAC_READ_SEARCH (it is what open_by_handle_at needs, the call that
/// opened the host's root from a layer's descriptor; DAC_OVERRIDE already covers reading and
/// searching for file service); CAP_MKNOD (the only device the service makes is the 0/0
/// whiteout, which mknod(2) allows without it; real device nodes are refused); CAP_SETUID and
/// CAP_SETGID (the gofer never changes its ids: ownership is set with chown); CAP_SETPCAP,
/// CAP_SYS_PTRACE, CAP_SYS_MODULE, CAP_SYS_RAWIO, CAP_NET_*, CAP_BPF, CAP_PERFMON,
/// CAP_SYS_CHROOT (nothing of file service); CAP_SYS_RESOURCE (a container's writes stay under
/// the filesystem's quotas and reserved blocks, as its own would); CAP_LINUX_IMMUTABLE and
/// CAP_SETFCAP (file flags and security.* xattrs are not served).
/// </remarks>
public static class ServingCapabilities
{
    /// <summary>The capabilities the serving image of <paramref name="plan"/> keeps.</summary>
    public static IReadOnlyList<CapabilityGrant> For(MountPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var grants = new List<CapabilityGrant>
        {
            new(Capability.Chown, "files and directories are made with the owner the client asks (the container's uid/gid), and copy-up keeps the lower file's owner"),
            new(Capability.DacOverride, "the client acts as the container's root: it reads, writes and searches files whatever their mode bits"),
            new(Capability.Fowner, "chmod, utimes, xattrs and hard links (fs.protected_hardlinks) on files the gofer's uid does not own; O_NOATIME on them"),
            new(Capability.Fsetid, "setuid/setgid bits set or kept as the container asks (chmod, copy-up, writes) rather than silently cleared"),
        };

        if (ServesTrustedXattrs(plan))
        {
            grants.Add(new(Capability.SysAdmin, "trusted.overlay.* markers (opaque, redirect) are read and written; the kernel allows trusted.* xattrs to CAP_SYS_ADMIN only, so the seccomp filter is what keeps its other uses out"));
        }

        return grants;
    }

    /// <summary>
    /// Whether any overlay of the plan keeps its markers under <c>trusted.overlay.</c> (no
    /// <c>userxattr</c>); in userxattr mode they are <c>user.overlay.</c> and need no privilege.
    /// </summary>
    public static bool ServesTrustedXattrs(MountPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return plan.Mounts.Any(m => m.Overlay is { UserXattr: false });
    }
}
