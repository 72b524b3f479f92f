using System.Runtime.InteropServices;

namespace Gofer.Fuse.Protocol;

/// <summary>struct fuse_out_header: every reply and notification starts with it (16 bytes); Error is a negated errno, or a notification code when Unique is 0.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseOutHeader
{
    public uint Length;
    public int Error;
    public ulong Unique;
}
