using System.Runtime.InteropServices;

namespace Gofer.Fuse.Protocol;

/// <summary>struct fuse_write_out: bytes written.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseWriteOut
{
    public uint Size;
    public uint Padding;
}
