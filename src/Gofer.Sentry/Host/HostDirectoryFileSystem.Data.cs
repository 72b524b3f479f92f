using System.Buffers;
using Gofer.Native;
using Gofer.Sentry.FileSystem;

namespace Gofer.Sentry.Host;

/// <summary>Contents: open the file the path names (following a final symlink) and read, write or list it.</summary>
public sealed partial class HostDirectoryFileSystem
{
    private const int ReadChunk = 1024 * 1024;

    public IReadOnlyList<DirectoryEntry> ReadDir(string path)
    {
        // What opendir(3) opens with.
        using var dir = Resolve(path, Syscalls.O_RDONLY | Syscalls.O_NONBLOCK | Syscalls.O_DIRECTORY, 0, "readdir");
        var names = DirectoryReader.Read(dir).Select(e => e.Name).ToList();
        names.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        var entries = new List<DirectoryEntry>(names.Count);
        foreach (var name in names)
        {
            ErrnoException.ThrowIfError(Syscalls.Stat(dir, name, Syscalls.AT_SYMLINK_NOFOLLOW, out var status), "readdir", path);
            entries.Add(new DirectoryEntry(Decode(name), Kind(status, "readdir", path)));
        }

        return entries;
    }

    /// <remarks>
    /// At least one pread is made, so that a length of 0 still answers what pread refuses (EISDIR
    /// on a directory, ESPIPE on a FIFO, EINVAL for a negative offset). A negative length reads to
    /// the end of the file.
    /// </remarks>
    public byte[] Read(string path, long offset, long length)
    {
        using var fd = Resolve(path, Syscalls.O_RDONLY | Syscalls.O_NONBLOCK, 0, "read");
        var data = new ArrayBufferWriter<byte>();
        var remaining = length < 0 ? long.MaxValue : length;
        long n;
        do
        {
            var chunk = data.GetSpan((int)Math.Min(remaining, ReadChunk));
            n = ErrnoException.ThrowIfError(Syscalls.Pread(fd, chunk[..(int)Math.Min(remaining, chunk.Length)], offset + data.WrittenCount), "read", path);

            data.Advance((int)n);
            remaining -= n;
        }
        while (n > 0 && remaining > 0);

        return data.WrittenSpan.ToArray();
    }

    public long Write(string path, long offset, ReadOnlySpan<byte> data)
    {
        using var fd = Resolve(path, Syscalls.O_WRONLY | Syscalls.O_NONBLOCK, 0, "write");
        return ErrnoException.ThrowIfError(Syscalls.Pwrite(fd, data, offset), "write", path);
    }

    public long Append(string path, ReadOnlySpan<byte> data)
    {
        using var fd = Resolve(path, Syscalls.O_WRONLY | Syscalls.O_APPEND | Syscalls.O_NONBLOCK, 0, "append");
        return ErrnoException.ThrowIfError(Syscalls.Write(fd, data), "append", path);
    }

    public void Create(string path, uint mode, bool exclusive, bool truncate)
    {
        var flags = Syscalls.O_CREAT | Syscalls.O_WRONLY | Syscalls.O_NONBLOCK
            | (exclusive ? Syscalls.O_EXCL : 0)
            | (truncate ? Syscalls.O_TRUNC : 0);
        using var fd = Resolve(path, flags, mode & 0xFFF, "create");
    }

    public void Truncate(string path, long size)
    {
        // truncate(2) refuses a negative length before it looks the path up.
        if (size < 0)
        {
            throw new ErrnoException(Errno.EINVAL, "truncate", path);
        }

        // truncate(2) of the magic link rather than open+ftruncate: it answers EINVAL for a FIFO or
        // socket where open would give ENXIO, and it never opens a device.
        using var fd = ResolveFollowing(path, "truncate");
        ErrnoException.ThrowIfError(Syscalls.Truncate(fd, size), "truncate", path);
    }
}
