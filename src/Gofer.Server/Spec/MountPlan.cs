namespace Gofer.Server.Spec;

/// <summary>Everything the gofer will stage and serve for one bundle, decided before anything is mounted.</summary>
/// <param name="BundlePath">Absolute path of the bundle directory.</param>
/// <param name="Mounts">The served mounts, rootfs first, then in spec order.</param>
/// <param name="Skipped">Mounts of the spec that are not served.</param>
public sealed record MountPlan(
    string BundlePath,
    IReadOnlyList<PlannedMount> Mounts,
    IReadOnlyList<SkippedMount> Skipped)
{
    /// <summary>Every layer of every mount, in id order.</summary>
    public IEnumerable<LayerPlan> Layers => Mounts.SelectMany(m => m.Layers);
}
