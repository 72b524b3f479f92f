namespace Gofer.Fuse.Protocol;

/*
 * Why this front speaks the FUSE kernel protocol itself instead of linking libfuse:
 *  - The gofer ships as one NativeAOT binary whose only native dependency is libc; libfuse would
 *    be a second shared library to install, version and load.
 *  - The sentry (OverlayFileSystem) is already path-based and caches its lookups; libfuse's
 *    high-level API keeps its own path/inode layer, which would duplicate that cache.
 *  - libfuse's low-level API works through native callbacks into managed code (reverse P/Invoke
 *    per request and its own threads), which buys nothing for a single-threaded loop.
 *  - The protocol is small and stable: fixed-layout structs over read(2)/write(2) on /dev/fuse,
 *    documented in the kernel's include/uapi/linux/fuse.h and Documentation/filesystems/fuse.rst.
 */

/// <summary>The protocol versions this front speaks.</summary>
internal static class ProtocolVersion
{
    public const uint Major = 7;

    /// <summary>
    /// The oldest minor accepted: 7.31 is where every struct and flag used here exists
    /// (FUSE_MAX_PAGES since 7.28, CACHE_SYMLINKS since 7.28, RENAME2 since 7.23).
    /// </summary>
    public const uint OldestMinor = 31;

    /// <summary>
    /// The newest minor whose behaviour this code knows. The reply carries the smaller of this and
    /// the kernel's, and the kernel then speaks that version: nothing newer (request extensions,
    /// SETXATTR_EXT) reaches a server that did not ask for it.
    /// </summary>
    public const uint NewestMinor = 31;
}
