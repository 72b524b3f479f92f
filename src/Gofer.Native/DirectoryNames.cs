using System.Buffers.Binary;

namespace Gofer.Native;

/// <summary>The names in a directory, as getdents64(2) returns them.</summary>
public static unsafe class DirectoryNames
{
    /// <summary>
    /// Every name in the directory open (O_RDONLY|O_DIRECTORY) at <paramref name="directory"/>, as raw bytes
    /// without the NUL, in the order the filesystem returns them, without <c>.</c> and <c>..</c>.
    /// </summary>
    public static List<byte[]> Read(FileDescriptor directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var names = new List<byte[]>();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            long n;
            fixed (byte* b = buffer)
            {
                n = ErrnoException.ThrowIfError(Syscalls.Getdents64(directory.Fd, b, buffer.Length), "readdir");
            }

            if (n == 0)
            {
                return names;
            }

            // linux_dirent64: ino (8), off (8), reclen (2), type (1), name (NUL-terminated, padded).
            var records = buffer.AsSpan(0, (int)n);
            for (var position = 0; position < records.Length;)
            {
                var record = records[position..];
                var length = BinaryPrimitives.ReadUInt16LittleEndian(record[16..]);
                var name = record[19..length];
                name = name[..name.IndexOf((byte)0)];
                position += length;
                if (!name.SequenceEqual("."u8) && !name.SequenceEqual(".."u8))
                {
                    names.Add(name.ToArray());
                }
            }
        }
    }
}
