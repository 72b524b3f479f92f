using Gofer.Fuse.Protocol;
using Gofer.Sentry.FileSystem;
using FileAttributes = Gofer.Sentry.FileSystem.FileAttributes;

namespace Gofer.Fuse.Operations;

/// <summary>The sentry's attributes as the kernel's fuse_attr.</summary>
internal static class AttrEncoding
{
    public static FuseAttr Of(FileAttributes a, ulong ino)
    {
        var atime = Math.DivRem(a.AccessTimeNs, 1_000_000_000L, out var atimeNs);
        var mtime = Math.DivRem(a.ModifyTimeNs, 1_000_000_000L, out var mtimeNs);
        return new FuseAttr
        {
            Ino = ino,
            Size = (ulong)a.Size,
            // The sentry does not report allocation: du sees the apparent size, in 512-byte blocks.
            Blocks = ((ulong)a.Size + 511) / 512,
            Atime = (ulong)atime,
            AtimeNsec = (uint)atimeNs,
            Mtime = (ulong)mtime,
            MtimeNsec = (uint)mtimeNs,
            // Nor the change time: the modification time is the closest it knows.
            Ctime = (ulong)mtime,
            CtimeNsec = (uint)mtimeNs,
            Mode = TypeBits(a.Kind) | (a.Mode & 0xFFF),
            Nlink = a.LinkCount,
            Uid = a.Uid,
            Gid = a.Gid,
            Rdev = KernelDevice(a.RawDevice),
            BlockSize = 4096,
        };
    }

    /// <summary>S_IFMT bits of a kind.</summary>
    public static uint TypeBits(FileKind kind) => kind switch
    {
        FileKind.Directory => 0x4000,
        FileKind.Symlink => 0xA000,
        FileKind.Fifo => 0x1000,
        FileKind.CharDevice => 0x2000,
        FileKind.BlockDevice => 0x6000,
        FileKind.Socket => 0xC000,
        _ => 0x8000,
    };

    /// <summary>d_type of a kind (DT_* is S_IFMT shifted down).</summary>
    public static uint DirentType(FileKind kind) => TypeBits(kind) >> 12;

    /// <summary>fuse_attr.rdev is 32 bits in the kernel's new_encode_dev form; st_rdev comes in glibc's makedev form.</summary>
    private static uint KernelDevice(ulong dev)
    {
        var major = (uint)(((dev >> 8) & 0xfff) | ((dev >> 32) & 0xfffff000));
        var minor = (uint)((dev & 0xff) | ((dev >> 12) & 0xffffff00));
        return (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xffu) << 12);
    }
}
