using System.Runtime.InteropServices;

namespace Gofer.Fuse.Protocol;

/// <summary>struct fuse_entry_out (128 bytes): a name's node and how long the kernel may trust the name and the attributes. Node 0 with a timeout caches a negative lookup.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseEntryOut
{
    public ulong NodeId;
    public ulong Generation;
    public ulong EntryValid;
    public ulong AttrValid;
    public uint EntryValidNsec;
    public uint AttrValidNsec;
    public FuseAttr Attr;
}
