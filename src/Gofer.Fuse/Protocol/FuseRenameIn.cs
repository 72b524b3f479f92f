using System.Runtime.InteropServices;

namespace Gofer.Fuse.Protocol;

/// <summary>struct fuse_rename_in, followed by the old and the new name.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseRenameIn
{
    public ulong NewDir;
}
