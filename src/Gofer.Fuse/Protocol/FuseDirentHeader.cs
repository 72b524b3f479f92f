using System.Runtime.InteropServices;

namespace Gofer.Fuse.Protocol;

/// <summary>struct fuse_dirent without its name: the name's bytes follow, padded to 8 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseDirentHeader
{
    public ulong Ino;
    public ulong Offset;
    public uint NameLength;
    public uint Type;
}
