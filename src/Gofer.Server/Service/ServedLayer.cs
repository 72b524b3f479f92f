using Gofer.Native;
using Gofer.Server.Spec;

namespace Gofer.Server.Service;

/// <summary>A layer as the file service sees it: its plan and an open handle on its root.</summary>
public sealed class ServedLayer : IDisposable
{
    public ServedLayer(LayerPlan plan, PlannedMount mount, FileDescriptor root)
    {
        Plan = plan;
        Mount = mount;
        Root = root;
    }

    public LayerPlan Plan { get; }

    public PlannedMount Mount { get; }

    /// <summary>O_PATH descriptor of the layer's root directory, opened once at start.</summary>
    public FileDescriptor Root { get; }

    public int Id => Plan.Id;

    /// <summary>Read-only layers refuse every modification with EROFS in the service itself, not only through the read-only mount.</summary>
    public bool ReadOnly => Plan.ReadOnly;

    /// <summary>The overlay xattr prefix a client may use on this layer, or null outside overlays.</summary>
    public string? OverlayXattrPrefix => Mount.Overlay?.XattrPrefix;

    public void Dispose() => Root.Dispose();
}
