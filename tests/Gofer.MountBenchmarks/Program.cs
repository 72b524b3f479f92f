using System.Globalization;
using Gofer.MountBenchmarks;
using Gofer.Server.Tests;
using Gofer.Server.Tests.EndToEnd;

// The same overlay mounted three ways on the same layers — the kernel's overlayfs, fuse-overlayfs
// and `gofer mount` — and the same workload run on each; one table, medians, each time also as a
// ratio to the kernel's. Needs root and fuse-overlayfs.
// Usage: dotnet run -c Release --project tests/Gofer.MountBenchmarks [-- PATH-TO-GOFER]
var gofer = args.Length > 0 ? Path.GetFullPath(args[0]) : new PublishedGofer().Binary;
Contender[] contenders =
[
    new("kernel overlayfs", "mount", (options, mnt) => ["-t", "overlay", "overlay", "-o", options + ",redirect_dir=on,index=off,metacopy=off", mnt]),
    new("fuse-overlayfs", "fuse-overlayfs", (options, mnt) => ["-o", options, mnt]),
    new("gofer mount", gofer, (options, mnt) => ["mount", "-o", options, mnt]),
];

using var layers = new BenchmarkLayers(contenders.Length);
var results = new double[Workload.Rows.Count, contenders.Length];
for (var c = 0; c < contenders.Length; c++)
{
    var contender = contenders[c];
    var (upper, work) = layers.NewUpper(c.ToString(CultureInfo.InvariantCulture));
    var mnt = layers.NewMountPoint(c.ToString(CultureInfo.InvariantCulture));
    var options = $"lowerdir={layers.Top}:{layers.Bottom},upperdir={upper},workdir={work}";
    Tool.Check(contender.Program, contender.Arguments(options, mnt));
    try
    {
        for (var r = 0; r < Workload.Rows.Count; r++)
        {
            results[r, c] = Workload.Rows[r].Measure(mnt, c).Median;
        }
    }
    finally
    {
        Tool.Check("umount", mnt);
    }

    Console.Error.WriteLine($"measured {contender.Name}");
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
