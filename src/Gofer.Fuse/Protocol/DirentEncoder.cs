using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Gofer.Fuse.Protocol;

/// <summary>Encodes READDIR entries: fuse_dirent, the name's bytes, zero padding to a multiple of 8.</summary>
internal static class DirentEncoder
{
    /// <summary>Appends one entry at <paramref name="position"/>; false (nothing written) when it does not fit.</summary>
    public static bool TryAppend(Span<byte> buffer, ref int position, ulong ino, ulong offset, uint type, string name)
    {
        var nameLength = Encoding.UTF8.GetByteCount(name);
        var headerSize = Unsafe.SizeOf<FuseDirentHeader>();
        var size = (headerSize + nameLength + 7) & ~7;
        if (position + size > buffer.Length)
        {
            return false;
        }

        var entry = buffer.Slice(position, size);
        var header = new FuseDirentHeader { Ino = ino, Offset = offset, NameLength = (uint)nameLength, Type = type };
        MemoryMarshal.Write(entry, in header);
        var written = Encoding.UTF8.GetBytes(name, entry[headerSize..]);
        entry[(headerSize + written)..].Clear();
        position += size;
        return true;
    }
}
