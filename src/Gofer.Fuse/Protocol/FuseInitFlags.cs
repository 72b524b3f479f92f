namespace Gofer.Fuse.Protocol;

/// <summary>Capability bits exchanged in INIT (fuse_init_in.flags / fuse_init_out.flags).</summary>
internal static class FuseInitFlags
{
    public const uint FUSE_ASYNC_READ = 1u << 0;
    public const uint FUSE_ATOMIC_O_TRUNC = 1u << 3;
    public const uint FUSE_BIG_WRITES = 1u << 5;
    public const uint FUSE_DONT_MASK = 1u << 6;
    public const uint FUSE_AUTO_INVAL_DATA = 1u << 12;
    public const uint FUSE_DO_READDIRPLUS = 1u << 13;
    public const uint FUSE_WRITEBACK_CACHE = 1u << 16;
    public const uint FUSE_PARALLEL_DIROPS = 1u << 18;
    public const uint FUSE_MAX_PAGES = 1u << 22;
    public const uint FUSE_CACHE_SYMLINKS = 1u << 23;
}
