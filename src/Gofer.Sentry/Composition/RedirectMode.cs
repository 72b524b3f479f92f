namespace Gofer.Sentry.Composition;

/// <summary>
/// What the overlay does with directory redirects (<c>&lt;prefix&gt;redirect</c>), from the mount's
/// <c>redirect_dir=</c>.
/// </summary>
public enum RedirectMode
{
    /// <summary>
    /// <c>nofollow</c>: none are made (renaming a directory a lower has is EXDEV), and a lookup that
    /// would have to follow one fails with EPERM, as the kernel refuses it.
    /// </summary>
    NoFollow,

    /// <summary>
    /// <c>follow</c>, and <c>off</c> as the kernel treats it with its default
    /// <c>redirect_always_follow</c>: redirects on disk are followed, none are made.
    /// </summary>
    Follow,

    /// <summary><c>on</c>: followed, and renaming a directory a lower has records its lower location in one.</summary>
    Create,
}
