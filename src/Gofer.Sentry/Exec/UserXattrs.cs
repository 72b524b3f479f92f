using Gofer.Sentry.FileSystem;

namespace Gofer.Sentry.Exec;

/// <summary>
/// `gofer exec` shows only <c>user.*</c> xattrs: the other namespaces differ between a kernel
/// overlayfs mount and the composed view for reasons that are not the overlay's (security labels,
/// ACLs, the overlay's own trusted.* markers).
/// </summary>
internal static class UserXattrs
{
    private const string Prefix = "user.";

    /// <summary>The <c>user.*</c> names of the file (not following a final symlink), sorted by bytes.</summary>
    public static List<string> Names(IFileSystem fileSystem, string path) =>
        fileSystem.ListXattr(path).Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Order(Utf8Order.Instance).ToList();
}
