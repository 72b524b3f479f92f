using Gofer.Server.Tests;

namespace Gofer.MountBenchmarks;

/// <summary>
/// Two lower layers on one tmpfs, the same for every contender: a directory of 10,000 names
/// merged from both lowers, files to stat, to read and to unlink, a 256 MiB file to stream and
/// 64 MiB files to copy up (one per contender and repetition, so every copy-up is a first one).
/// </summary>
public sealed class BenchmarkLayers : IDisposable
{
    public const int Names = 10_000;
    public const int SmallFiles = 1_000;
    public const int CopyUps = 3;
    public const long StreamBytes = 256L << 20;
    public const long CopyUpBytes = 64L << 20;

    private readonly TempDirectory root = new("gofer-mount-bench-");

    public BenchmarkLayers(int contenders)
    {
        // tmpfs, so that no contender waits on a disk the others found in the page cache.
        Tool.Check("mount", "-t", "tmpfs", "-o", "size=4g", "bench-layers", root.Path);
        Bottom = root.Make("lower", "bottom");
        Top = root.Make("lower", "top");
        for (var i = 0; i < Names; i++)
        {
            File.WriteAllBytes(Path.Combine(Directory.CreateDirectory(Path.Combine(i % 2 == 0 ? Bottom : Top, "merged")).FullName, $"n{i:D5}"), []);
        }

        var small = new byte[4096];
        Random.Shared.NextBytes(small);
        foreach (var dir in new[] { "stat", "small", "unlink" })
        {
            var path = Directory.CreateDirectory(Path.Combine(Bottom, dir)).FullName;
            for (var i = 0; i < SmallFiles; i++)
            {
                File.WriteAllBytes(Path.Combine(path, $"f{i:D4}"), dir == "small" ? small : []);
            }
        }

        WriteLarge(Path.Combine(Top, "stream"), StreamBytes);
        for (var c = 0; c < contenders; c++)
        {
            for (var i = 0; i < CopyUps; i++)
            {
                WriteLarge(Path.Combine(Directory.CreateDirectory(Path.Combine(Bottom, "copy")).FullName, $"c{c}-{i}"), CopyUpBytes);
            }
        }
    }

    public string Bottom { get; }

    public string Top { get; }

    /// <summary>A fresh upper and work directory for one contender.</summary>
    public (string Upper, string Work) NewUpper(string name) => (root.Make("upper", name, "u"), root.Make("upper", name, "w"));

    public string NewMountPoint(string name) => root.Make("mnt", name);

    public void Dispose()
    {
        Tool.Run("umount", root.Path);
        root.Dispose();
    }

    private static void WriteLarge(string path, long size)
    {
        var chunk = new byte[1 << 20];
        Random.Shared.NextBytes(chunk);
        using var file = File.Create(path);
        for (long done = 0; done < size; done += chunk.Length)
        {
            file.Write(chunk);
        }
    }
}
