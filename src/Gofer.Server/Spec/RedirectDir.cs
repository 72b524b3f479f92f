namespace Gofer.Server.Spec;

/// <summary>The overlay's <c>redirect_dir=</c> setting, as the kernel names its values.</summary>
public enum RedirectDir
{
    /// <summary>
    /// <c>redirect_dir=off</c>: renaming a lower directory fails with EXDEV; redirects already on
    /// disk are still followed, as the kernel does with its default <c>redirect_always_follow</c>.
    /// </summary>
    Off,

    /// <summary><c>redirect_dir=on</c> (the default here without userxattr): directory renames are recorded with a redirect xattr.</summary>
    On,

    /// <summary><c>redirect_dir=follow</c>: redirects already on disk are followed, none are created.</summary>
    Follow,

    /// <summary><c>redirect_dir=nofollow</c> (the default with userxattr): redirects are neither created nor followed.</summary>
    NoFollow,
}
