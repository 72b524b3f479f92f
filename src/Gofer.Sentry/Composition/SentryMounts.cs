using Gofer.Native;
using Gofer.Sentry.FileSystem;

namespace Gofer.Sentry.Composition;

/// <summary>
/// PLACEHOLDER on the exec branch, to be dropped at merge: the real class (the composed view of a
/// served mount) is written on main. This stand-in only lets `gofer exec --socket` compile.
/// </summary>
public static class SentryMounts
{
    /// <summary>The composed view of the mount served at <paramref name="destination"/> by the gofer on <paramref name="socketPath"/>.</summary>
    /// <exception cref="ErrnoException">Always ENOSYS in this placeholder.</exception>
    public static IFileSystem Open(string socketPath, string destination) =>
        throw new ErrnoException(Errno.ENOSYS, "sentry", destination);
}
