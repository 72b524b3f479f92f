namespace Gofer.Fuse.Protocol;

/// <summary>fuse_open_out.open_flags (FOPEN_*).</summary>
internal static class OpenReplyFlags
{
    public const uint FOPEN_KEEP_CACHE = 1u << 1;

    /// <summary>The kernel may keep a directory's listing in its page cache (protocol 7.28).</summary>
    public const uint FOPEN_CACHE_DIR = 1u << 3;
}
