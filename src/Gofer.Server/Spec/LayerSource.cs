using Gofer.Native;

namespace Gofer.Server.Spec;

/// <summary>
/// The source of one layer, opened once (see <see cref="SourceOpener"/>): every check of the
/// layer is made on <see cref="Descriptor"/>, and staging mounts that same descriptor, so what is
/// served is what was checked whatever happens to the path meanwhile.
/// </summary>
public sealed class LayerSource : IDisposable
{
    internal LayerSource(LayerPlan layer, string resolvedPath, FileDescriptor descriptor, FileStatus status, FileIdentity identity)
    {
        Layer = layer;
        ResolvedPath = resolvedPath;
        Descriptor = descriptor;
        Status = status;
        Identity = identity;
    }

    /// <summary>The layer this is the source of.</summary>
    public LayerPlan Layer { get; }

    /// <summary>The layer's path as realpath(3) resolved it before the open: for messages only, never opened again.</summary>
    public string ResolvedPath { get; }

    /// <summary>An O_PATH descriptor of the source itself.</summary>
    public FileDescriptor Descriptor { get; }

    /// <summary>What fstat said of <see cref="Descriptor"/> when it was opened (its type cannot change).</summary>
    public FileStatus Status { get; }

    /// <summary>The file and mount <see cref="Descriptor"/> refers to.</summary>
    public FileIdentity Identity { get; }

    public void Dispose() => Descriptor.Dispose();
}
