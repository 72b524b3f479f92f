using System.Runtime.InteropServices;

namespace Gofer.Fuse.Protocol;

/// <summary>struct fuse_getxattr_out: the size a GETXATTR or LISTXATTR with size 0 asked for.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseGetXattrOut
{
    public uint Size;
    public uint Padding;
}
