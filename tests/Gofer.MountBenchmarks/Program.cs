using System.Globalization;
using Gofer.Benchmarks;
using Gofer.MountBenchmarks;
using Gofer.Server.Tests;
using Gofer.Server.Tests.EndToEnd;

// The same overlay mounted three ways on the same layers — the kernel's overlayfs, fuse-overlayfs
// and `gofer mount` — and the same workload run on each; one table, medians, each time also as a
// ratio to the kernel's. Needs root and fuse-overlayfs.
// Usage: dotnet run -c Release --project tests/Gofer.MountBenchmarks [-- [--real-tree [ENTRIES]] [PATH-TO-GOFER]]
// With --real-tree it runs the real-tree workload instead (untar, list and hash, edit and git,
// rm -rf; 55,000 entries unless given), once per mount, each FUSE daemon at 1,024 descriptors.
var realTree = args.Length > 0 && args[0] == "--real-tree";
var rest = realTree ? args[1..] : args;
var entries = realTree && rest.Length > 0 && int.TryParse(rest[0], CultureInfo.InvariantCulture, out var n) ? n : 55_000;
rest = realTree && rest.Length > 0 && int.TryParse(rest[0], CultureInfo.InvariantCulture, out _) ? rest[1..] : rest;
var gofer = rest.Length > 0 ? Path.GetFullPath(rest[0]) : new PublishedGofer().Binary;
if (realTree)
{
    RealTreeBenchmark.Run(gofer, entries);
    return;
}

Contender[] contenders =
[
    new("kernel overlayfs", "mount", (options, mnt) => ["-t", "overlay", "overlay", "-o", options + ",redirect_dir=on,index=off,metacopy=off", mnt]),
    new("fuse-overlayfs", "fuse-overlayfs", (options, mnt) => ["-o", options, mnt]),
    new("gofer mount", gofer, (options, mnt) => ["mount", "-o", options, mnt]),
];

var samples = new Samples[Workload.Rows.Count, contenders.Length];
for (var r = 0; r < Workload.Rows.Count; r++)
{
    for (var c = 0; c < contenders.Length; c++)
    {
        samples[r, c] = new Samples();
    }
}

using var layers = new BenchmarkLayers(contenders.Length);
var mountPoints = new List<string>();
try
{
    for (var c = 0; c < contenders.Length; c++)
    {
        var (upper, work) = layers.NewUpper(c.ToString(CultureInfo.InvariantCulture));
        var mnt = layers.NewMountPoint(c.ToString(CultureInfo.InvariantCulture));
        Tool.Check(contenders[c].Program, contenders[c].Arguments($"lowerdir={layers.Top}:{layers.Bottom},upperdir={upper},workdir={work}", mnt));
        mountPoints.Add(mnt);
    }

    // All mounted at once and measured in turns, row by row and round by round, the first turn
    // passing from one contender to the next: a shared machine's slow spells then fall on all
    // of them alike instead of on whichever was measured at the time.
    for (var round = 0; round < Workload.Rounds; round++)
    {
        for (var r = 0; r < Workload.Rows.Count; r++)
        {
            for (var turn = 0; turn < contenders.Length; turn++)
            {
                var c = (turn + round) % contenders.Length;
                samples[r, c].Add(Workload.Rows[r].Measure(mountPoints[c], c, round));
            }
        }

        Console.Error.WriteLine($"round {round + 1} of {Workload.Rounds} measured");
    }
}
finally
{
    mountPoints.ForEach(mnt => Tool.Run("umount", mnt));
}

var results = new double[Workload.Rows.Count, contenders.Length];
for (var r = 0; r < Workload.Rows.Count; r++)
{
    for (var c = 0; c < contenders.Length; c++)
    {
        results[r, c] = samples[r, c].Median;
    }
}

Console.WriteLine($"| measure (median) | {string.Join(" | ", contenders.Select(c => c.Name))} | {string.Join(" | ", contenders.Skip(1).Select(c => c.Name + " ÷ kernel"))} |");
Console.WriteLine($"|---|{string.Concat(Enumerable.Repeat("---|", (contenders.Length * 2) - 1))}");
for (var r = 0; r < Workload.Rows.Count; r++)
{
    var (row, unit, _) = Workload.Rows[r];
    var values = Enumerable.Range(0, contenders.Length).Select(c => results[r, c]).ToList();
    var cells = values.Select(v => $"{v.ToString(v < 10 ? "0.0" : "0", CultureInfo.InvariantCulture)} {unit}");
    var ratios = values.Skip(1).Select(v => (v / values[0]).ToString("0.0", CultureInfo.InvariantCulture) + "×");
    Console.WriteLine($"| {row} | {string.Join(" | ", cells)} | {string.Join(" | ", ratios)} |");
}
