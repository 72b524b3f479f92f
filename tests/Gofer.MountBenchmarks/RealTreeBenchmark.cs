using System.Diagnostics;
using System.Globalization;
using Gofer.Mount.Tests.RealTree;
using Gofer.Server.Tests;

namespace Gofer.MountBenchmarks;

/// <summary>
/// The real-tree workload (untar, list and hash, edit and git, rm -rf) at full size on the three
/// mounts, each FUSE daemon with an ordinary machine's 1,024 descriptors: one run each (minutes
/// apiece, on one machine at one time), every stage's wall time and its ratio to the kernel's,
/// and whether each mount's results were the kernel's.
/// </summary>
public static class RealTreeBenchmark
{
    private const string Limit = "--nofile=1024:1024";

    public static void Run(string gofer, int entries)
    {
        using var dir = new TempDirectory("gofer-real-tree-bench-");
        var (lower, tarball, lowerEntries, treeEntries) = RealTreeWorkload.Prepare(dir, entries);
        Console.Error.WriteLine($"lower: {lowerEntries} entries; tarball: {treeEntries} entries");

        var kernel = RealTreeWorkload.Layers(dir, "kernel", lower);
        var total = Stopwatch.StartNew();
        RealTreeWorkload.RunOnKernel(kernel, tarball);
        var results = new List<(string Name, RealTreeMount Mount, double Total, string Verdict)> { ("kernel overlayfs", kernel, total.Elapsed.TotalSeconds, "reference") };

        foreach (var (name, program, arguments) in new (string, string, Func<RealTreeMount, string[]>)[]
        {
            ("fuse-overlayfs", "fuse-overlayfs", m => ["-o", m.Options, m.MountPoint]),
            ("gofer mount", gofer, m => ["mount", "-o", RealTreeWorkload.KernelOptions(m), m.MountPoint]),
        })
        {
            var mount = RealTreeWorkload.Layers(dir, name.Replace(' ', '-'), lower);
            Tool.Check("prlimit", [Limit, program, .. arguments(mount)]);
            total.Restart();
            var (exit, printed) = RealTreeWorkload.RunOnMounted(mount, tarball);
            var seconds = total.Elapsed.TotalSeconds;
            Tool.Run("umount", mount.MountPoint);
            var differences = exit == 0 ? RealTreeWorkload.Differences(kernel, mount) : [];
            var verdict = exit != 0 ? $"failed: {printed.Split('\n')[0]}" : differences.Count == 0 ? "same as the kernel's" : $"differs: {differences[0]}";
            results.Add((name, mount, seconds, verdict));
            Console.Error.WriteLine($"{name}: {seconds:0.0} s, {verdict}");
        }

        var stages = RealTreeWorkload.Seconds(kernel).Select(s => s.Stage).ToList();
        Console.WriteLine($"| stage ({treeEntries:N0} entries over {lowerEntries:N0}) | {string.Join(" | ", results.Select(r => r.Name))} | {string.Join(" | ", results.Skip(1).Select(r => r.Name + " ÷ kernel"))} |");
        Console.WriteLine($"|---|{string.Concat(Enumerable.Repeat("---|", (results.Count * 2) - 1))}");
        for (var s = 0; s < stages.Count; s++)
        {
            var values = results.Select(r => StageSeconds(r.Mount, s)).ToList();
            Console.WriteLine($"| {stages[s]} | {string.Join(" | ", values.Select(Format))} | {string.Join(" | ", values.Skip(1).Select(v => Ratio(v, values[0])))} |");
        }

        Console.WriteLine($"| whole workload | {string.Join(" | ", results.Select(r => Format(r.Total)))} | {string.Join(" | ", results.Skip(1).Select(r => Ratio(r.Total, results[0].Total)))} |");
        Console.WriteLine();
        results.ForEach(r => Console.WriteLine($"- {r.Name}: {r.Verdict}"));
    }

    private static double? StageSeconds(RealTreeMount mount, int stage)
    {
        var seconds = File.Exists(Path.Combine(mount.Output, "seconds")) ? RealTreeWorkload.Seconds(mount) : [];
        return stage < seconds.Count ? seconds[stage].Seconds : null;
    }

    private static string Format(double? seconds) => seconds is { } s ? s.ToString("0.0", CultureInfo.InvariantCulture) + " s" : "—";

    private static string Ratio(double? value, double? reference) =>
        value is { } v && reference is { } r && r > 0 ? (v / r).ToString("0.0", CultureInfo.InvariantCulture) + "×" : "—";
}
