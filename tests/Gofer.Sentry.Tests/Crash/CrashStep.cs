namespace Gofer.Sentry.Tests.Crash;

/// <summary>One change a crash script makes to a large file; each but <see cref="Unlink"/> of a lower file needs a copy-up first.</summary>
public enum CrashStep
{
    /// <summary>chmod to 0600.</summary>
    Chmod,

    /// <summary>append of the file's suffix.</summary>
    Append,

    /// <summary>truncate to the file's truncated size.</summary>
    Truncate,

    /// <summary>rename to the same name with ".renamed" added.</summary>
    Rename,

    /// <summary>unlink.</summary>
    Unlink,
}
