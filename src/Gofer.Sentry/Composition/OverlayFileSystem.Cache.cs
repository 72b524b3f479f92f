namespace Gofer.Sentry.Composition;

public sealed partial class OverlayFileSystem
{
    /// <summary>
    /// Whether the upper layer holds the file at <paramref name="path"/> (not following a final
    /// symlink). Two names of one upper file are hard links of each other; two names of one lower
    /// file are not (overlayfs without index breaks them apart on copy-up), so a front that shares
    /// inodes between names needs to know which one it has.
    /// </summary>
    public bool IsUpper(string path) => Resolve(path, followFinal: false).Upper is not null;

    /// <summary>
    /// Drops what the view caches for <paramref name="path"/> and below, releasing the gofer's
    /// handles on them; the next use looks the names up again. For a front whose own cache (the
    /// kernel's, behind FUSE) no longer holds the name: the view's cache would otherwise only grow.
    /// </summary>
    public void Evict(string path) => Forget(path);

    /// <summary>How many names the view caches, the root included: each holds the gofer's handles on its layers.</summary>
    public int CachedNames => nodes.Count;
}
