using System.Buffers.Binary;

namespace Gofer.Native;

/// <summary>The entries of a directory, as getdents64(2) returns them.</summary>
public static unsafe class DirectoryReader
{
    /// <summary>
    /// Every entry of the directory open (O_RDONLY|O_DIRECTORY) at <paramref name="directory"/>, in
    /// the order the filesystem returns them, without <c>.</c> and <c>..</c>; read 64 KiB of records
    /// at a time, as the caller consumes them.
    /// </summary>
    public static IEnumerable<DirectoryRecord> Read(FileDescriptor directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var n = Fill(directory, buffer);
            if (n == 0)
            {
                yield break;
            }

            foreach (var entry in Decode(buffer.AsSpan(0, n)))
            {
                yield return entry;
            }
        }
    }

    private static int Fill(FileDescriptor directory, byte[] buffer)
    {
        using var d = new DescriptorUse(directory);
        fixed (byte* b = buffer)
        {
            return (int)ErrnoException.ThrowIfError(d.IsClosed ? -Errno.EBADF : Syscalls.Getdents64(d.Number, b, buffer.Length), "readdir");
        }
    }

    /// <summary>linux_dirent64: ino (8), off (8), reclen (2), type (1), name (NUL-terminated, padded).</summary>
    private static List<DirectoryRecord> Decode(ReadOnlySpan<byte> records)
    {
        var entries = new List<DirectoryRecord>();
        for (var position = 0; position < records.Length;)
        {
            var record = records[position..];
            var length = BinaryPrimitives.ReadUInt16LittleEndian(record[16..]);
            var name = record[19..length];
            name = name[..name.IndexOf((byte)0)];
            position += length;
            if (!name.SequenceEqual("."u8) && !name.SequenceEqual(".."u8))
            {
                entries.Add(new DirectoryRecord(name.ToArray(), BinaryPrimitives.ReadUInt64LittleEndian(record), record[18]));
            }
        }

        return entries;
    }
}
