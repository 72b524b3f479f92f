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
}
