namespace Gofer.Server.Spec;

/// <summary>One mount of the bundle that the gofer serves.</summary>
/// <param name="Index">Position in the plan (0 is the rootfs); staging paths are named after it.</param>
/// <param name="Destination">Where the container sees it (<c>/</c> for the rootfs).</param>
/// <param name="Kind">Rootfs, bind or overlay.</param>
/// <param name="Options">The mount's options as the spec gives them.</param>
/// <param name="Overlay">The parsed overlay options, for overlay mounts only.</param>
/// <param name="Layers">The directories that make the mount, in role order (root/bind; lowers top-down, upper, work).</param>
public sealed record PlannedMount(
    int Index,
    string Destination,
    MountKind Kind,
    IReadOnlyList<string> Options,
    OverlayOptions? Overlay,
    IReadOnlyList<LayerPlan> Layers);
