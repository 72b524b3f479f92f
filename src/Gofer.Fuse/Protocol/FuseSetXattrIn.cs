using System.Runtime.InteropServices;

namespace Gofer.Fuse.Protocol;

/// <summary>struct fuse_setxattr_in without FUSE_SETXATTR_EXT (8 bytes), followed by the name and the value.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseSetXattrIn
{
    public uint Size;
    public uint Flags;
}
