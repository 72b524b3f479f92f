namespace Gofer.Native;

/// <summary>What statx(2) reports of one file.</summary>
public readonly record struct FileStatus(
    ulong Device,
    ulong Inode,
    uint Mode,
    uint LinkCount,
    uint Uid,
    uint Gid,
    ulong RawDevice,
    long Size,
    long Blocks,
    uint BlockSize,
    long AccessSeconds,
    uint AccessNanoseconds,
    long ModifySeconds,
    uint ModifyNanoseconds,
    long ChangeSeconds,
    uint ChangeNanoseconds)
{
    public const uint TypeMask = 0xF000;
    public const uint Fifo = 0x1000;
    public const uint CharDevice = 0x2000;
    public const uint Directory = 0x4000;
    public const uint BlockDevice = 0x6000;
    public const uint Regular = 0x8000;
    public const uint Symlink = 0xA000;
    public const uint Socket = 0xC000;

    /// <summary>The file type bits (<c>S_IFMT</c>).</summary>
    public uint Type => Mode & TypeMask;

    public bool IsDirectory => Type == Directory;

    public bool IsRegular => Type == Regular;

    public bool IsSymlink => Type == Symlink;

    /// <summary>An overlay whiteout: a character device with device number 0/0.</summary>
    public bool IsWhiteout => Type == CharDevice && RawDevice == 0;

    /// <summary>makedev(3) of glibc: the encoding of a (major, minor) pair that st_dev uses.</summary>
    public static ulong MakeDevice(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) |
        ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);
}
