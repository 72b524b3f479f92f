using System.Collections.Frozen;

namespace Gofer.Server.Spec;

/// <summary>
/// The options runtimes and container engines put on mounts of any type, beyond each type's own
/// (the overlay's <c>lowerdir=</c>…, the bind's <c>bind</c>/<c>rbind</c>/<c>ro</c>), and what the
/// gofer makes of each: accepted with a meaning it keeps, or refused by name. Both
/// <see cref="BindOptionParser"/> and <see cref="OverlayOptionParser"/> ask here, so a flag means
/// the same on every mount.
/// </summary>
public static class RuntimeMountOptions
{
    // Generic mount flags. runc and crun turn them into mount(2) flags (the "r" forms into
    // mount_setattr over the whole tree). They say how the container may use the mount (exec,
    // setuid, device nodes, atime updates, synchronous writes, symlinks), not which files it
    // holds, so they change nothing in the plan; they stay in the mount's options (ListMounts
    // reports them) for the sandbox to enforce. The gofer itself already binds every layer
    // nosuid,nodev and never follows a symlink.
    private static readonly FrozenSet<string> GenericFlags = FrozenSet.ToFrozenSet(
    [
        "nosuid", "suid", "nodev", "dev", "noexec", "exec",
        "relatime", "norelatime", "noatime", "atime", "strictatime", "nostrictatime",
        "nodiratime", "diratime", "lazytime", "nolazytime", "nosymfollow", "symfollow",
        "sync", "async", "dirsync",
        "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec",
        "rrelatime", "rnorelatime", "rnoatime", "ratime", "rstrictatime", "rnostrictatime",
        "rnodiratime", "rdiratime", "rnosymfollow", "rsymfollow",
    ], StringComparer.Ordinal);

    // Propagation: whether mounts made later under the mount's source or destination appear on
    // the other side. The gofer's staged mounts are private to its own mount namespace and never
    // propagate to or from the host (StagingRoot makes the whole namespace private first), and the
    // container's view is the sandbox's, so every setting is accepted and has nothing to change.
    private static readonly FrozenSet<string> Propagation = FrozenSet.ToFrozenSet(
    [
        "private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable",
    ], StringComparer.Ordinal);

    /// <summary>
    /// What the gofer makes of <paramref name="key"/> (with <paramref name="value"/> after '=', or
    /// null) on a served mount: false when it is not one of these options (the caller's own or
    /// unknown); true with a null <paramref name="refusal"/> when accepted, or with the reason it is
    /// refused.
    /// </summary>
    public static bool TryClassify(string key, string? value, out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(key);
        (var known, refusal) = Classify(key, value);
        return known;
    }

    private static (bool Known, string? Refusal) Classify(string key, string? value) => (key, value) switch
    {
        _ when value is null && (GenericFlags.Contains(key) || Propagation.Contains(key)) => (true, null),

        // SELinux relabelling (shared z, private Z). The engine relabels the source before it
        // writes the spec (podman 4 relabels and drops z/Z from the spec; a runtime that keeps
        // them does the same before starting). The gofer serves no security.* xattrs, so the
        // labels it would set are not something it shows; accepted, nothing to do.
        ("z" or "Z", null) => (true, null),

        // Engine instructions carried out before the container starts: podman's U chowns the
        // source to the container's user, copy/nocopy fill (or not) a new named volume from the
        // image. By the time a spec exists the files are what they are; the gofer serves them.
        ("U" or "copy" or "nocopy", null) => (true, null),

        // An idmapped mount shows the container other owners than the files have on disk; the
        // gofer serves the files' real owners, so it would silently show the wrong ones.
        ("idmap" or "ridmap" or "uidmap" or "gidmap", _) =>
            (true, "idmapped mounts are not supported: the gofer serves files with their owners on disk"),

        // podman's overlay-volume marker: the engine turns it into a mount of type overlay.
        // Left on a bind it would ask for writes to stay off the source, which a bind cannot
        // keep; serving the bind would write through to the host.
        ("O", null) =>
            (true, "overlay volumes must be given as a mount of type \"overlay\" with lowerdir=, upperdir= and workdir="),

        // crun fills a tmpfs from the directory it covers; tmpfs mounts are the sandbox's.
        ("tmpcopyup", null) => (true, "applies to tmpfs mounts only, which the sandbox provides"),

        _ => (false, null),
    };
}
