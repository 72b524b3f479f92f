using System.Diagnostics;
using System.Text;
using Gofer.Benchmarks;
using Gofer.Native;

namespace Gofer.MountBenchmarks;

/// <summary>
/// The rows of the table, run through the same system calls whatever serves the mount, in
/// <see cref="Rounds"/> rounds, each on names no earlier round touched (so "cold" stays cold and
/// every copy-up and unlink is a first one). Times are per operation (µs) or per run (ms); the
/// table shows medians over all rounds.
/// </summary>
public static class Workload
{
    /// <summary>Rounds of every row; the contenders take turns within each.</summary>
    public const int Rounds = BenchmarkLayers.CopyUps;

    private const int FilesPerRound = BenchmarkLayers.SmallFiles / Rounds;

    public static IReadOnlyList<(string Row, string Unit, Func<string, int, int, Samples> Measure)> Rows { get; } =
    [
        ("stat, cold (lstat of a lower file, first time)", "µs", (mnt, _, round) => PerFile(mnt, "stat", round, 1, Lstat)),
        ("stat, warm (the same files again, 3 passes)", "µs", (mnt, _, round) => PerFile(mnt, "stat", round, 3, Lstat)),
        ("readdir of 10,000 names merged from 2 lowers", "ms", (mnt, _, _) => Runs(2, () => ReadAll(Path.Combine(mnt, "merged")))),
        ("256 MiB sequential read, 1 MiB reads", "ms", (mnt, _, _) => Runs(1, () => Stream(Path.Combine(mnt, "stream")))),
        ("4 KiB open-read-close (2 passes)", "µs", (mnt, _, round) => PerFile(mnt, "small", round, 2, ReadSmall)),
        ("small-file create (O_CREAT|O_EXCL, 100 B, close)", "µs", (mnt, _, round) => Creates(mnt, round)),
        ("64 MiB copy-up (open for writing, write 1 byte)", "ms", CopyUp),
        ("unlink of a lower file", "µs", (mnt, _, round) => PerFile(mnt, "unlink", round, 1, Unlink)),
    ];

    private static Samples PerFile(string mnt, string dir, int round, int passes, Action<string> operation)
    {
        var samples = new Samples();
        for (var pass = 0; pass < passes; pass++)
        {
            for (var i = round * FilesPerRound; i < (round + 1) * FilesPerRound; i++)
            {
                var path = Path.Combine(mnt, dir, $"f{i:D4}");
                var start = Stopwatch.GetTimestamp();
                operation(path);
                samples.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            }
        }

        return samples;
    }

    private static Samples Runs(int count, Action run)
    {
        var samples = new Samples();
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            run();
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return samples;
    }

    private static Samples Creates(string mnt, int round)
    {
        var dir = Directory.CreateDirectory(Path.Combine(mnt, $"created{round}")).FullName;
        var data = new byte[100];
        var samples = new Samples();
        for (var i = 0; i < FilesPerRound; i++)
        {
            var path = Encode(Path.Combine(dir, $"f{i:D4}"));
            var start = Stopwatch.GetTimestamp();
            using (var file = Open(path, Syscalls.O_WRONLY | Syscalls.O_CREAT | Syscalls.O_EXCL, 0x1a4, "create"))
            {
                Check((int)Syscalls.Write(file, data), "write", path);
            }

            samples.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }

        return samples;
    }

    private static Samples CopyUp(string mnt, int contender, int round)
    {
        var samples = new Samples();
        var path = Encode(Path.Combine(mnt, "copy", $"c{contender}-{round}"));
        var start = Stopwatch.GetTimestamp();
        using (var file = Open(path, Syscalls.O_WRONLY, 0, "open"))
        {
            Check((int)Syscalls.Pwrite(file, [1], 0), "write", path);
        }

        samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        return samples;
    }

    private static void Lstat(string path) =>
        Check(Syscalls.Stat(FileDescriptor.CurrentDirectory, Encode(path), Syscalls.AT_SYMLINK_NOFOLLOW, out _), "lstat", path);

    private static void ReadSmall(string path)
    {
        Span<byte> buffer = stackalloc byte[8192];
        using var file = Open(Encode(path), Syscalls.O_RDONLY, 0, "open");
        if (Syscalls.Read(file, buffer) != 4096)
        {
            throw new InvalidOperationException($"{path}: short read");
        }
    }

    private static void Unlink(string path) =>
        Check(Syscalls.UnlinkAt(FileDescriptor.CurrentDirectory, Encode(path), 0), "unlink", path);

    private static void ReadAll(string dir)
    {
        using var fd = Open(Encode(dir), Syscalls.O_RDONLY | Syscalls.O_DIRECTORY, 0, "open");
        var count = DirectoryReader.Read(fd).Count();
        if (count != BenchmarkLayers.Names)
        {
            throw new InvalidOperationException($"{dir}: {count} names, expected {BenchmarkLayers.Names}");
        }
    }

    private static void Stream(string path)
    {
        var buffer = new byte[1 << 20];
        long total = 0;
        using (var fd = Open(Encode(path), Syscalls.O_RDONLY, 0, "open"))
        {
            long n;
            while ((n = Syscalls.Read(fd, buffer)) > 0)
            {
                total += n;
            }

            Check((int)n, "read", path);
        }

        if (total != BenchmarkLayers.StreamBytes)
        {
            throw new InvalidOperationException($"{path}: read {total} bytes, expected {BenchmarkLayers.StreamBytes}");
        }
    }

    private static byte[] Encode(string path) => Encoding.UTF8.GetBytes(path);

    /// <summary>openat from the working directory, with the path encoded before any timing starts.</summary>
    private static FileDescriptor Open(byte[] path, int flags, uint mode, string operation) =>
        Syscalls.OpenAt(FileDescriptor.CurrentDirectory, path, flags, mode, out var error)
            ?? throw new ErrnoException(error, operation, Encoding.UTF8.GetString(path));

    private static int Check(int result, string operation, byte[] path) =>
        result < 0 ? throw new ErrnoException(-result, operation, Encoding.UTF8.GetString(path)) : result;

    private static int Check(int result, string operation, string path) =>
        result < 0 ? throw new ErrnoException(-result, operation, path) : result;
}
