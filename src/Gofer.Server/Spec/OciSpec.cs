namespace Gofer.Server.Spec;

/// <summary>The parts of a bundle's <c>config.json</c> the gofer needs; everything else is ignored.</summary>
/// <param name="BundlePath">Absolute path of the bundle directory: relative paths in the spec are resolved against it.</param>
/// <param name="RootPath"><c>root.path</c> as written (relative to the bundle, or absolute).</param>
/// <param name="RootReadOnly"><c>root.readonly</c>; false when absent.</param>
/// <param name="Mounts"><c>mounts</c>, in spec order.</param>
public sealed record OciSpec(
    string BundlePath,
    string RootPath,
    bool RootReadOnly,
    IReadOnlyList<OciMount> Mounts);
