using System.Runtime.InteropServices;

namespace Gofer.Fuse.Protocol;

/// <summary>struct fuse_fsync_in: FsyncFlags bit 0 is FUSE_FSYNC_FDATASYNC.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseFsyncIn
{
    public ulong Fh;
    public uint FsyncFlags;
    public uint Padding;
}
