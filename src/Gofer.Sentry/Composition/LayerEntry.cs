using Gofer.Protocol.V1;

namespace Gofer.Sentry.Composition;

/// <summary>A file as one layer has it: which layer, the gofer's handle on it, its stat and whether it is marked opaque.</summary>
public sealed record LayerEntry(int Layer, ulong Handle, Stat Stat, bool Opaque)
{
    private const uint TypeMask = 0xF000;

    public uint Type => Stat.Mode & TypeMask;

    public bool IsDirectory => Type == 0x4000;

    public bool IsSymlink => Type == 0xA000;

    /// <summary>An overlay whiteout: a character device 0/0.</summary>
    public bool IsWhiteout => Type == 0x2000 && Stat.Rdev == 0;
}
