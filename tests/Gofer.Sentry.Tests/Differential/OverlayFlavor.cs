namespace Gofer.Sentry.Tests.Differential;

/// <summary>Which xattr namespace the overlay keeps its own markers (opaque, redirect, …) in, and what renaming a directory does.</summary>
public enum OverlayFlavor
{
    /// <summary><c>trusted.overlay.*</c>, the kernel's default, with <c>redirect_dir=off</c>: renaming a lower directory is EXDEV.</summary>
    Trusted,

    /// <summary><c>user.overlay.*</c>: the <c>userxattr</c> mount option, with <c>redirect_dir=nofollow</c>.</summary>
    User,

    /// <summary><c>trusted.overlay.*</c> with <c>redirect_dir=on</c>: renaming a lower directory records a redirect.</summary>
    TrustedRedirect,
}
