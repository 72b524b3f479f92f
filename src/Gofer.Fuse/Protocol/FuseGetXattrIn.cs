using System.Runtime.InteropServices;

namespace Gofer.Fuse.Protocol;

/// <summary>struct fuse_getxattr_in (GETXATTR, followed by the name; LISTXATTR): the caller's buffer size, 0 to ask for the size.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseGetXattrIn
{
    public uint Size;
    public uint Padding;
}
