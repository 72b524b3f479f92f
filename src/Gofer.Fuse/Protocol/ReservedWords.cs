using System.Runtime.CompilerServices;

namespace Gofer.Fuse.Protocol;

/// <summary>The six reserved 32-bit words at the end of fuse_init_out and fuse_kstatfs (always zero here).</summary>
[InlineArray(6)]
internal struct SixReservedWords
{
    private uint element;
}

/// <summary>The eleven reserved 32-bit words at the end of fuse_init_in.</summary>
[InlineArray(11)]
internal struct ElevenReservedWords
{
    private uint element;
}
