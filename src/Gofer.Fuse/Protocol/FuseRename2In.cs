using System.Runtime.InteropServices;

namespace Gofer.Fuse.Protocol;

/// <summary>struct fuse_rename2_in, followed by the old and the new name; Flags are renameat2's.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseRename2In
{
    public ulong NewDir;
    public uint Flags;
    public uint Padding;
}
