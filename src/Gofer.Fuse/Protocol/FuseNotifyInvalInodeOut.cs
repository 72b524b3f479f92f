using System.Runtime.InteropServices;

namespace Gofer.Fuse.Protocol;

/// <summary>struct fuse_notify_inval_inode_out: a negative Offset drops only the cached attributes, not the page cache.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseNotifyInvalInodeOut
{
    public ulong Ino;
    public long Offset;
    public long Length;
}
