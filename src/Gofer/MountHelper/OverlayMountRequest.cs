using Gofer.Fuse;

namespace Gofer.MountHelper;

/// <summary>
/// What `gofer mount` was asked for: the overlay's own option string (paths made absolute, for
/// the gofer's spec) and how the FUSE mount itself is to be made.
/// </summary>
/// <param name="OverlayOptions">lowerdir/upperdir/workdir and the overlay's other options, comma-separated, escapes kept.</param>
/// <param name="Fuse">The mount's flags, source and subtype.</param>
public sealed record OverlayMountRequest(string OverlayOptions, FuseMountOptions Fuse);
