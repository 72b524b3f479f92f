namespace Gofer.Server.Spec;

/// <summary>An overlay mount's option string, parsed as the kernel parses it.</summary>
/// <param name="LowerDirs">Lower directories, topmost first (leftmost in <c>lowerdir=</c>), as absolute paths.</param>
/// <param name="UpperDir">The upper directory, or null for a read-only overlay.</param>
/// <param name="WorkDir">The work directory; present exactly when <paramref name="UpperDir"/> is.</param>
/// <param name="UserXattr">The <c>userxattr</c> option: overlay xattrs live under <c>user.overlay.</c>.</param>
/// <param name="RedirectDir">The <c>redirect_dir=</c> option.</param>
/// <param name="ReadOnly">The <c>ro</c> option, or no upper directory.</param>
public sealed record OverlayOptions(
    IReadOnlyList<string> LowerDirs,
    string? UpperDir,
    string? WorkDir,
    bool UserXattr,
    RedirectDir RedirectDir,
    bool ReadOnly)
{
    /// <summary>The prefix of the overlay's private xattrs (opaque, redirect, …).</summary>
    public string XattrPrefix => UserXattr ? "user.overlay." : "trusted.overlay.";
}
