namespace Gofer.Mount.Tests.RealTree;

/// <summary>
/// Writes a tree shaped like a source checkout or an unpacked package set, the same for the same
/// seed: nested directories (wide near the top, deeper below), files of mixed sizes (mostly small
/// text, some binary, a few of megabytes), relative symlinks to files, to directories and
/// dangling, and hard links. Names overlap between seeds (d0/d1/…, f0.txt/…), so a second tree
/// generated over a first one's layer meets the first's names: merged directories, replaced files.
/// </summary>
public static class TreeGenerator
{
    /// <summary>Writes about <paramref name="entries"/> entries below <paramref name="root"/>; returns how many it wrote.</summary>
    public static int Write(string root, int entries, int seed)
    {
        var random = new Random(seed);
        var directories = new List<string> { root };
        var files = new List<string>();
        var written = 0;
        var buffer = new byte[2 << 20];
        while (written < entries)
        {
            // Parents are picked among the newest directories more often, which makes depth.
            var parent = directories[random.Next(2) == 0 ? random.Next(directories.Count) : Math.Max(0, directories.Count - 1 - random.Next(8))];
            var depth = parent.Length - root.Length - parent[root.Length..].Replace("/", "", StringComparison.Ordinal).Length;
            var roll = random.Next(100);
            var index = random.Next(entries / 10 + 10);
            if (roll < 9 && depth < 12)
            {
                var path = Path.Combine(parent, $"d{index}");
                if (!Exists(path))
                {
                    Directory.CreateDirectory(path);
                    directories.Add(path);
                    written++;
                }
            }
            else if (roll < 88)
            {
                var path = Path.Combine(parent, $"f{index}{Extension(random)}");
                if (!Exists(path))
                {
                    var size = Size(random);
                    if (path.EndsWith(".txt", StringComparison.Ordinal))
                    {
                        FillText(random, buffer.AsSpan(0, size));
                    }
                    else
                    {
                        random.NextBytes(buffer.AsSpan(0, size));
                    }

                    File.WriteAllBytes(path, buffer.AsSpan(0, size).ToArray());
                    files.Add(path);
                    written++;
                }
            }
            else if (roll < 95)
            {
                var path = Path.Combine(parent, $"l{index}");
                if (!Exists(path))
                {
                    // To a file, to a directory, or to nothing at all; always relative, as in a checkout.
                    var pool = random.Next(3) switch { 0 => files, 1 => directories, _ => null };
                    var target = pool is { Count: > 0 } ? Path.GetRelativePath(parent, pool[random.Next(pool.Count)]) : $"missing-{index}";
                    File.CreateSymbolicLink(path, target);
                    written++;
                }
            }
            else if (files.Count > 0)
            {
                var path = Path.Combine(parent, $"h{index}");
                if (!Exists(path))
                {
                    Link(files[random.Next(files.Count)], path);
                    written++;
                }
            }
        }

        return written;
    }

    private static bool Exists(string path) => Path.Exists(path) || new FileInfo(path).LinkTarget is not null;

    private static string Extension(Random random) => random.Next(10) switch
    {
        < 6 => ".txt",
        < 8 => ".bin",
        _ => "",
    };

    /// <summary>Mostly small, as real trees are: 40 % under 200 bytes, 50 % under 8 KiB, 9.7 % under 128 KiB, 0.3 % up to 2 MiB.</summary>
    private static int Size(Random random) => random.Next(1000) switch
    {
        < 400 => random.Next(200),
        < 900 => random.Next(200, 8 << 10),
        < 997 => random.Next(8 << 10, 128 << 10),
        _ => random.Next(128 << 10, 2 << 20),
    };

    private static void FillText(Random random, Span<byte> text)
    {
        const string Letters = "abcdefghijklmnopqrstuvwxyz      \n";
        for (var i = 0; i < text.Length; i++)
        {
            text[i] = (byte)Letters[random.Next(Letters.Length)];
        }
    }

    private static void Link(string existing, string path)
    {
        var (exit, _, stderr) = Gofer.Server.Tests.Tool.Run("ln", existing, path);
        if (exit != 0)
        {
            throw new IOException($"ln {existing} {path}: {stderr}");
        }
    }
}
