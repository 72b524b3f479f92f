using System.Globalization;
using Gofer.Server.Tests;
using Gofer.Server.Tests.EndToEnd;
using Xunit.Abstractions;

namespace Gofer.Mount.Tests.RealTree;

/// <summary>
/// A real workload at real scale, the way the first users broke gofer mount: a generated tree of
/// tens of thousands of entries untarred over a lower layer, listed, hashed, edited by sed, git
/// and friends, and removed with rm -rf (<c>workload.sh</c>), through the kernel's overlayfs and
/// through `gofer mount` whose gofer has an ordinary machine's 1,024 descriptors. Every stage's
/// listing and hashes, and the upper left at the end, must be the kernel's.
/// </summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class RealTreeTests(PublishedGofer gofer, ITestOutputHelper output)
{
    /// <summary>The gofer's RLIMIT_NOFILE, soft and hard: a usual host's soft limit, which it may not raise.</summary>
    private const int DescriptorLimit = 1024;

    /// <summary>Entries in the untarred tree; GOFER_TREE_ENTRIES=N for more (the mount benchmark's --real-tree runs 55,000).</summary>
    private static int Entries => int.TryParse(Environment.GetEnvironmentVariable("GOFER_TREE_ENTRIES"), CultureInfo.InvariantCulture, out var n) ? n : 20_000;

    [Fact]
    public void A_tree_untarred_edited_and_removed_through_gofer_mount_at_1024_descriptors_matches_the_kernel_overlay()
    {
        using var dir = new TempDirectory("gofer-real-tree-");
        var (lower, tarball, lowerEntries, treeEntries) = RealTreeWorkload.Prepare(dir, Entries);
        output.WriteLine($"lower: {lowerEntries} entries; tarball: {treeEntries} entries");

        var kernel = RealTreeWorkload.Layers(dir, "kernel", lower);
        RealTreeWorkload.RunOnKernel(kernel, tarball);

        var mine = RealTreeWorkload.Layers(dir, "gofer", lower);
        Tool.Check("prlimit", $"--nofile={DescriptorLimit}:{DescriptorLimit}", gofer.Binary, "mount", mine.MountPoint, "-o", RealTreeWorkload.KernelOptions(mine));
        try
        {
            var goferPid = MountProcesses.Find(mine.MountPoint).Single(p => File.ReadAllText($"/proc/{p}/cmdline").Contains("\0serve\0", StringComparison.Ordinal));
            Assert.Equal((DescriptorLimit, DescriptorLimit), ProcessLimits.OpenFiles(goferPid));
            using var sampler = new DescriptorSampler(goferPid);
            var (exit, printed) = RealTreeWorkload.RunOnMounted(mine, tarball);
            output.WriteLine($"gofer's descriptors: peak {sampler.Peak} of {DescriptorLimit}");
            Assert.True(exit == 0, $"the workload failed through gofer mount ({exit}): {printed}");
        }
        finally
        {
            Tool.Run("umount", mine.MountPoint);
        }

        var differences = RealTreeWorkload.Differences(kernel, mine);
        Assert.True(differences.Count == 0, "gofer mount differs from the kernel's overlayfs:\n" + string.Join('\n', differences));
        Assert.True(File.ReadAllLines(Path.Combine(kernel.Output, "entries.untarred")).Length >= treeEntries / 2, "the untarred tree is far smaller than generated");
        foreach (var (stage, seconds) in RealTreeWorkload.Seconds(mine).Zip(RealTreeWorkload.Seconds(kernel), (m, k) => (m.Stage, $"{m.Seconds:0.0} s (kernel {k.Seconds:0.0} s)")))
        {
            output.WriteLine($"{stage}: {seconds}");
        }
    }

    /// <summary>Counts a process's open descriptors five times a second and keeps the highest count seen.</summary>
    private sealed class DescriptorSampler : IDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private readonly Task sampling;
        private int peak;

        public DescriptorSampler(int pid) =>
            sampling = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        peak = Math.Max(peak, Directory.GetFiles($"/proc/{pid}/fd").Length);
                    }
                    catch (IOException)
                    {
                        return;
                    }

                    await Task.Delay(200).ConfigureAwait(false);
                }
            });

        public int Peak => Volatile.Read(ref peak);

        public void Dispose()
        {
            stop.Cancel();
            sampling.Wait();
            stop.Dispose();
        }
    }
}
