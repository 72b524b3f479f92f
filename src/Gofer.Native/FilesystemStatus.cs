using System.Runtime.InteropServices;

namespace Gofer.Native;

/// <summary><c>struct statfs</c> as fstatfs(2) fills it on 64-bit Linux.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct FilesystemStatus
{
    public long Type;
    public long BlockSize;
    public ulong Blocks;
    public ulong BlocksFree;
    public ulong BlocksAvailable;
    public ulong Files;
    public ulong FilesFree;
    public long Fsid;
    public long NameMax;
    public long FragmentSize;
    public long Flags;
    public fixed long Spare[4];
}
