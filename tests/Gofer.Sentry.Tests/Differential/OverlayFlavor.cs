namespace Gofer.Sentry.Tests.Differential;

/// <summary>Which xattr namespace the overlay keeps its own markers (opaque, …) in.</summary>
public enum OverlayFlavor
{
    /// <summary><c>trusted.overlay.*</c>, the kernel's default.</summary>
    Trusted,

    /// <summary><c>user.overlay.*</c>: the <c>userxattr</c> mount option.</summary>
    User,
}
