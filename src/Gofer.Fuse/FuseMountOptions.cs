namespace Gofer.Fuse;

/// <summary>How a FUSE mount is made.</summary>
/// <param name="Source">What /proc/mounts shows as the mount's source.</param>
/// <param name="Subtype">The filesystem type is <c>fuse.&lt;Subtype&gt;</c>.</param>
public sealed record FuseMountOptions(string Source, string Subtype)
{
    /// <summary>MS_RDONLY.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>MS_NOSUID: on by default, so files served from userspace cannot grant privileges.</summary>
    public bool NoSuid { get; init; } = true;

    /// <summary>MS_NODEV: on by default, so device files in a layer cannot reach the host's devices.</summary>
    public bool NoDev { get; init; } = true;

    /// <summary>MS_NOEXEC.</summary>
    public bool NoExec { get; init; }

    /// <summary>MS_NOATIME.</summary>
    public bool NoAtime { get; init; }

    /// <summary>The <c>allow_other</c> option: on by default, as root mounts it for every user (the kernel still checks modes).</summary>
    public bool AllowOther { get; init; } = true;

    /// <summary>
    /// Names the front keeps a node for before it asks the kernel to drop the least recently
    /// looked-up ones. A node costs about 0.8 KiB here (the front's table and the sentry's part),
    /// and the kernel would otherwise keep every name it ever saw while memory lasts.
    /// </summary>
    public int MaxNodes { get; init; } = 131_072;
}
