namespace Gofer.Sentry.Tests.Differential;

/// <summary>The overlay's own xattr names for each flavor.</summary>
public static class OverlayXattrs
{
    /// <summary><c>trusted.overlay.</c> or <c>user.overlay.</c>: the names the mount keeps for itself and hides.</summary>
    public static string Prefix(OverlayFlavor flavor) => flavor == OverlayFlavor.User ? "user.overlay." : "trusted.overlay.";

    public static string Opaque(OverlayFlavor flavor) => Prefix(flavor) + "opaque";

    /// <summary>The opaque marker of the other flavor, which this flavor's mount must not obey.</summary>
    public static string OtherOpaque(OverlayFlavor flavor) =>
        Opaque(flavor == OverlayFlavor.User ? OverlayFlavor.Trusted : OverlayFlavor.User);
}
