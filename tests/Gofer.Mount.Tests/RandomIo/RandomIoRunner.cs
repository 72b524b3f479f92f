using System.IO.MemoryMappedFiles;
using System.Security.Cryptography;
using Gofer.Native;
using Microsoft.Win32.SafeHandles;

namespace Gofer.Mount.Tests.RandomIo;

/// <summary>
/// Runs a script on one file and records what every step observed: bytes read (as a digest),
/// errors, and the size seen both through the open file and by path afterwards. Two mounts that
/// behave the same produce the same record line for line.
/// </summary>
public static class RandomIoRunner
{
    public static IReadOnlyList<string> Run(string path, IReadOnlyList<RandomIoStep> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var record = new List<string>(steps.Count);
        var file = Open(path);
        try
        {
            foreach (var step in steps)
            {
                string result;
                try
                {
                    result = Apply(ref file, path, step);
                }
                catch (Exception e) when (e is IOException or ErrnoException or UnauthorizedAccessException)
                {
                    // The kind only: messages name the path, which differs between the two mounts.
                    result = "error " + e.GetType().Name;
                }

                record.Add($"{step}: {result}; size {RandomAccess.GetLength(file)}/{new FileInfo(path).Length}");
            }
        }
        finally
        {
            file.Dispose();
        }

        return record;
    }

    private static string Apply(ref SafeFileHandle file, string path, RandomIoStep step)
    {
        switch (step.Kind)
        {
            case RandomIoKind.Read:
                {
                    var buffer = new byte[step.Length];
                    var read = RandomAccess.Read(file, buffer, step.Offset);
                    return $"read {read} {Digest(buffer.AsSpan(0, read))}";
                }

            case RandomIoKind.Write:
                RandomAccess.Write(file, Data(step), step.Offset);
                return "written";

            case RandomIoKind.Truncate:
                RandomAccess.SetLength(file, step.Offset);
                return "truncated";

            case RandomIoKind.MapRead:
                {
                    using var map = MemoryMappedFile.CreateFromFile(file, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
                    using var view = map.CreateViewAccessor(step.Offset, step.Length, MemoryMappedFileAccess.Read);
                    var buffer = new byte[step.Length];
                    view.ReadArray(0, buffer, 0, step.Length);
                    return $"mapped read {Digest(buffer)}";
                }

            case RandomIoKind.MapWrite:
                {
                    if (RandomAccess.GetLength(file) < step.Offset + step.Length)
                    {
                        RandomAccess.SetLength(file, step.Offset + step.Length);
                    }

                    using var map = MemoryMappedFile.CreateFromFile(file, null, 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
                    using var view = map.CreateViewAccessor(step.Offset, step.Length, MemoryMappedFileAccess.ReadWrite);
                    var data = Data(step);
                    view.WriteArray(0, data, 0, data.Length);
                    view.Flush();
                    return "mapped write";
                }

            case RandomIoKind.Fsync:
                RandomAccess.FlushToDisk(file);
                return "synced";

            default:
                file.Dispose();
                file = Open(path);
                return "reopened";
        }
    }

    private static SafeFileHandle Open(string path) => File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);

    private static byte[] Data(RandomIoStep step)
    {
        var data = new byte[step.Length];
        new Random(step.DataSeed).NextBytes(data);
        return data;
    }

    private static string Digest(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];
}
