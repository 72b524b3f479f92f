using Gofer.Native;
using Gofer.Protocol.V1;

namespace Gofer.Sentry.Composition;

/// <summary>
/// A file as one layer has it: which layer, the gofer's handle on it, its stat, whether it is
/// marked opaque, and its redirect xattr as stored (unvalidated: see <see cref="RedirectPath"/>).
/// </summary>
public sealed record LayerEntry(int Layer, ulong Handle, Stat Stat, bool Opaque, string? Redirect = null)
{
    public uint Type => Stat.Mode & FileStatus.TypeMask;

    public bool IsDirectory => Type == FileStatus.Directory;

    public bool IsSymlink => Type == FileStatus.Symlink;

    /// <summary>An overlay whiteout: a character device 0/0.</summary>
    public bool IsWhiteout => Type == FileStatus.CharDevice && Stat.Rdev == 0;
}
