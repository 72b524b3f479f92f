namespace Gofer.Sentry.Tests.Differential;

/// <summary>Whether a directory carries an overlay opaque marker, and in whose namespace.</summary>
public enum Opacity
{
    None,

    /// <summary>The mount's own marker: <c>trusted.overlay.opaque</c> or, with userxattr, <c>user.overlay.opaque</c>.</summary>
    Opaque,

    /// <summary>
    /// The other namespace's marker only, which the mount must ignore: with <c>trusted.</c> the
    /// directory carries <c>user.overlay.opaque</c> (an ordinary user xattr, listed like any other),
    /// with userxattr it carries <c>trusted.overlay.opaque</c>.
    /// </summary>
    OtherNamespace,
}
