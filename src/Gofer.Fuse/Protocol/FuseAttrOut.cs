using System.Runtime.InteropServices;

namespace Gofer.Fuse.Protocol;

/// <summary>struct fuse_attr_out (104 bytes): the reply to GETATTR and SETATTR.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseAttrOut
{
    public ulong AttrValid;
    public uint AttrValidNsec;
    public uint Dummy;
    public FuseAttr Attr;
}
