namespace Gofer.Fuse.Protocol;

/// <summary>fuse_open_out.open_flags (FOPEN_*).</summary>
internal static class OpenReplyFlags
{
    public const uint FOPEN_KEEP_CACHE = 1u << 1;
}
