namespace Gofer.Sentry.Composition;

public sealed partial class OverlayFileSystem
{
    /// <summary>
    /// Whether the upper layer holds the file at <paramref name="path"/> (not following a final
    /// symlink). Two names of one upper file are hard links of each other; two names of one lower
    /// file are not (overlayfs without index breaks them apart on copy-up), so a front that shares
    /// inodes between names needs to know which one it has.
    /// </summary>
    public bool IsUpper(string path)
    {
        using var operation = Begin();
        return Resolve(path, followFinal: false).Upper is not null;
    }

    /// <summary>
    /// Drops what the view caches for <paramref name="path"/> and below, releasing the gofer's
    /// handles on them; the next use looks the names up again. For a front whose own cache (the
    /// kernel's, behind FUSE) no longer holds the name: the view's cache would otherwise only grow.
    /// </summary>
    public void Evict(string path)
    {
        // Nothing changed: names known absent below it are still absent, so only the nodes go.
        using var operation = Begin();
        session.Release(cache.RemoveTree(path).SelectMany(n => n.Entries).Select(e => e.Handle));
    }

    /// <summary>How many names the view caches, the root included: each holds the gofer's handles on its layers.</summary>
    public int CachedNames => cache.Count;

    /// <summary>The gofer's handles the cached names hold.</summary>
    public int CachedHandles => cache.Handles;

    /// <summary>
    /// Most handles the cache keeps between operations: half of what the gofer lets this
    /// connection hold, less the files open now, so that open files, a long walk's handles and
    /// the gofer's other clients keep room. Never below 64, or a deep path could not be cached.
    /// </summary>
    public int CacheHandleLimit => Math.Max(64, (handleLimit - openFiles) / 2);

    /// <summary>
    /// Marks a public operation: the outermost one first gives up least recently used names while
    /// the cache holds more handles than <see cref="CacheHandleLimit"/> (down to three quarters of
    /// it, so that trimming is not paid on every call). Only there, since no operation is under
    /// way then: a node an operation holds must not lose its handles before it is done with them.
    /// </summary>
    private Operation Begin()
    {
        if (depth++ == 0 && cache.Handles > CacheHandleLimit)
        {
            session.Release(cache.Trim(CacheHandleLimit * 3 / 4).SelectMany(n => n.Entries).Select(e => e.Handle));
        }

        return new Operation(this);
    }

    /// <summary>The extent of one public operation (see <see cref="Begin"/>).</summary>
    private readonly struct Operation(OverlayFileSystem view) : IDisposable
    {
        public void Dispose() => view.depth--;
    }
}
