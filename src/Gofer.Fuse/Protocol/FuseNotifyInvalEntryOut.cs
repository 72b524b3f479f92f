using System.Runtime.InteropServices;

namespace Gofer.Fuse.Protocol;

/// <summary>
/// struct fuse_notify_inval_entry_out: drop the kernel's dentry of NAME in directory PARENT
/// (followed by the name's bytes and a NUL). An unused dentry goes, and with its inode's last
/// dentry the kernel sends FORGET.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseNotifyInvalEntryOut
{
    public ulong Parent;
    public uint NameLength;
    public uint Flags;
}
