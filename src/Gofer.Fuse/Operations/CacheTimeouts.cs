namespace Gofer.Fuse.Operations;

/// <summary>How long the kernel may trust what it was told.</summary>
internal static class CacheTimeouts
{
    /// <summary>
    /// One hour, for names (negative ones too) and attributes. This process is the only writer of
    /// the upper layer and every change passes through the kernel, which updates or drops what it
    /// cached for the nodes a request names; every reply that changes a node carries its fresh
    /// attributes, and a change to nodes a request did not name (directories copied up along a
    /// path) is announced with FUSE_NOTIFY_INVAL_INODE. Changing the layers behind the mount's back
    /// is undefined, as it is for overlayfs.
    /// </summary>
    public const ulong Seconds = 3600;
}
