namespace Gofer.Fuse.Protocol;

/// <summary>Which fields of fuse_setattr_in are set (its <c>valid</c> bits, FATTR_*).</summary>
internal static class SetAttrValid
{
    public const uint FATTR_MODE = 1u << 0;
    public const uint FATTR_UID = 1u << 1;
    public const uint FATTR_GID = 1u << 2;
    public const uint FATTR_SIZE = 1u << 3;
    public const uint FATTR_ATIME = 1u << 4;
    public const uint FATTR_MTIME = 1u << 5;
    public const uint FATTR_FH = 1u << 6;
    public const uint FATTR_ATIME_NOW = 1u << 7;
    public const uint FATTR_MTIME_NOW = 1u << 8;
}
