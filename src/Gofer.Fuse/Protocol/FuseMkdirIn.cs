using System.Runtime.InteropServices;

namespace Gofer.Fuse.Protocol;

/// <summary>struct fuse_mkdir_in, followed by the name.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseMkdirIn
{
    public uint Mode;
    public uint Umask;
}
