using System.Runtime.InteropServices;

namespace Gofer.Fuse.Protocol;

/// <summary>struct fuse_link_in, followed by the new name.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseLinkIn
{
    public ulong OldNodeId;
}
