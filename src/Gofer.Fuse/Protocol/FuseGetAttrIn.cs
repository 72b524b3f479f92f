using System.Runtime.InteropServices;

namespace Gofer.Fuse.Protocol;

/// <summary>struct fuse_getattr_in: Flags has FUSE_GETATTR_FH (1) when Fh names the file the caller has open.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseGetAttrIn
{
    public uint Flags;
    public uint Dummy;
    public ulong Fh;
}
