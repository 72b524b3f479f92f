using System.Runtime.InteropServices;

namespace Gofer.Fuse.Protocol;

/// <summary>struct fuse_forget_in: how many lookups of the request's node the kernel drops.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseForgetIn
{
    public ulong Nlookup;
}
