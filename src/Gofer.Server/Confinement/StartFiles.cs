using System.Buffers.Binary;
using System.Text;

namespace Gofer.Server.Confinement;

/// <summary>One host file bound read-only into the staging root so that the next image can start there.</summary>
/// <param name="Source">The file on the host.</param>
/// <param name="Target">Its path inside the staging root: where the kernel or the dynamic loader will look it up.</param>
/// <param name="Device">A device node that must stay usable (its bind is not nodev).</param>
public sealed record StartFile(string Source, string Target, bool Device = false);

/// <summary>
/// The files an exec of this very binary needs, inside a root that holds nothing else: the
/// executable, its ELF interpreter (the dynamic loader, at the path named in the binary, which the
/// kernel opens) and the shared objects it maps (libc, libm), at the paths where the loader finds
/// them without /etc/ld.so.cache (its default directories: the real paths it mapped them from);
/// and /dev/urandom, the one device it opens: the .NET runtime reads its secure random bytes
/// there (for Guid.NewGuid, which every HTTP/2 request's diagnostics activity calls), opening it
/// once at start-up; without it every request fails.
/// </summary>
public sealed class StartFiles
{
    private StartFiles(StartFile executable, IReadOnlyList<StartFile> files)
    {
        Executable = executable;
        Files = files;
    }

    /// <summary>The random device the runtime opens.</summary>
    public const string RandomDevice = "/dev/urandom";

    /// <summary>The gofer binary; its target is what the next image is exec'd as.</summary>
    public StartFile Executable { get; }

    /// <summary>Every file to bind, the executable first.</summary>
    public IReadOnlyList<StartFile> Files { get; }

    /// <summary>Reads them off this process: its executable and /proc/self/maps.</summary>
    public static StartFiles OfThisProcess()
    {
        var executable = new FileInfo("/proc/self/exe").LinkTarget ?? throw new IOException("/proc/self/exe names no file");
        var self = new StartFile(executable, executable);
        var files = new List<StartFile> { self };
        if (InterpreterOf(executable) is { } interpreter)
        {
            // The kernel opens the interpreter by the name in the binary (often a symlink on the
            // host, such as /lib64 -> usr/lib64); the bind mount resolves it to the real file.
            files.Add(new StartFile(interpreter, interpreter));
        }

        foreach (var mapped in MappedFiles(File.ReadAllLines("/proc/self/maps")))
        {
            // The interpreter shows here too, at its real path: binding it there as well is harmless.
            // Only files the host still has at that path (not a memfd, a SysV segment, …).
            if (files.TrueForAll(f => f.Target != mapped) && File.Exists(mapped))
            {
                files.Add(new StartFile(mapped, mapped));
            }
        }

        files.Add(new StartFile(RandomDevice, RandomDevice, Device: true));
        return new StartFiles(self, files);
    }

    /// <summary>The paths of the files mapped in a /proc/PID/maps listing, in order, once each.</summary>
    public static IEnumerable<string> MappedFiles(IEnumerable<string> mapsLines)
    {
        ArgumentNullException.ThrowIfNull(mapsLines);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in mapsLines)
        {
            // address perms offset dev inode path: the path is whatever follows the fifth field.
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6)
            {
                continue;
            }

            var path = fields[5].Trim();
            if (path.StartsWith('/') && !path.EndsWith(" (deleted)", StringComparison.Ordinal) && seen.Add(path))
            {
                yield return path;
            }
        }
    }

    /// <summary>The PT_INTERP path of an ELF64 little-endian executable, or null for a static one.</summary>
    public static string? InterpreterOf(string executable)
    {
        using var file = File.OpenRead(executable);
        var header = new byte[64];
        file.ReadExactly(header);
        if (header[0] != 0x7f || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F' || header[4] != 2 || header[5] != 1)
        {
            throw new InvalidDataException($"{executable} is not a 64-bit little-endian ELF file");
        }

        var programHeaders = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(0x20));
        var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x36));
        var count = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x38));
        var entry = new byte[entrySize];
        const uint interpreterType = 3; // PT_INTERP
        for (var i = 0; i < count; i++)
        {
            file.Position = programHeaders + (i * entrySize);
            file.ReadExactly(entry);
            if (BinaryPrimitives.ReadUInt32LittleEndian(entry) != interpreterType)
            {
                continue;
            }

            var offset = BinaryPrimitives.ReadInt64LittleEndian(entry.AsSpan(8));
            var size = (int)BinaryPrimitives.ReadInt64LittleEndian(entry.AsSpan(32));
            var name = new byte[size];
            file.Position = offset;
            file.ReadExactly(name);
            return Encoding.UTF8.GetString(name).TrimEnd('\0');
        }

        return null;
    }
}
