using Gofer.Server.Tests;

namespace Gofer.Mount.Tests.RealTree;

/// <summary>One mount's directories for the workload: its upper, mount point and outputs, and the overlay option string (the same lower for every mount).</summary>
public sealed record RealTreeMount(string Upper, string MountPoint, string Output, string Options);

/// <summary>
/// The real-tree workload (<c>workload.sh</c>) and what it needs around it, shared by the test
/// that holds gofer mount to the kernel's answers and the benchmark that times the three mounts:
/// a generated lower layer and tarball, each mount's directories, the run on the kernel's
/// overlayfs in a private mount namespace, and the comparison of two runs' outputs.
/// </summary>
public static class RealTreeWorkload
{
    /// <summary>The stages after which the workload records what the mount shows.</summary>
    public static IReadOnlyList<string> Stages { get; } = ["untarred", "modified", "removed"];

    public static string Script => Path.Combine(AppContext.BaseDirectory, "RealTree", "workload.sh");

    /// <summary>Generates a lower layer of a quarter of <paramref name="entries"/> and a tarball of <paramref name="entries"/> whose names overlap it.</summary>
    public static (string Lower, string Tarball, int LowerEntries, int TreeEntries) Prepare(TempDirectory dir, int entries)
    {
        ArgumentNullException.ThrowIfNull(dir);
        var lower = dir.Make("lower");
        var lowerEntries = TreeGenerator.Write(lower, entries / 4, seed: 1);
        var source = dir.Make("source");
        var treeEntries = TreeGenerator.Write(source, entries, seed: 2);
        var tarball = dir.Combine("tree.tar");
        Tool.Check("tar", "-cf", tarball, "-C", source, ".");
        Directory.Delete(source, recursive: true);
        return (lower, tarball, lowerEntries, treeEntries);
    }

    /// <summary>A mount's directories under <paramref name="dir"/>/<paramref name="name"/>; every mount gets the same options.</summary>
    public static RealTreeMount Layers(TempDirectory dir, string name, string lower)
    {
        ArgumentNullException.ThrowIfNull(dir);
        var upper = dir.Make(name, "upper");
        var work = dir.Make(name, "work");
        return new RealTreeMount(upper, dir.Make(name, "mnt"), dir.Make(name, "out"), $"lowerdir={lower},upperdir={upper},workdir={work}");
    }

    /// <summary>The options the kernel gets: its directory renames recorded as gofer mount's default records them, nothing else turned on.</summary>
    public static string KernelOptions(RealTreeMount mount) => mount?.Options + ",redirect_dir=on,index=off,metacopy=off";

    /// <summary>Runs the workload on the kernel's overlayfs, mounted in a private mount namespace that goes with it.</summary>
    public static void RunOnKernel(RealTreeMount mount, string tarball)
    {
        ArgumentNullException.ThrowIfNull(mount);
        Tool.Check("unshare", "-m", "--propagation", "private", "bash", "-c",
            "mount -t overlay overlay -o \"$1\" \"$2\" && exec bash \"$3\" \"$2\" \"$4\" \"$5\"",
            "workload", KernelOptions(mount), mount.MountPoint, Script, tarball, mount.Output);
    }

    /// <summary>Runs the workload on whatever is mounted at the mount point; its exit status and what it printed.</summary>
    public static (int Exit, string Printed) RunOnMounted(RealTreeMount mount, string tarball)
    {
        ArgumentNullException.ThrowIfNull(mount);
        var (exit, stdout, stderr) = Tool.Run("bash", Script, mount.MountPoint, tarball, mount.Output);
        return (exit, stderr + stdout);
    }

    /// <summary>Each stage's wall time in seconds, as the workload recorded it.</summary>
    public static IReadOnlyList<(string Stage, double Seconds)> Seconds(RealTreeMount mount) =>
        [.. File.ReadAllLines(Path.Combine(mount?.Output ?? "", "seconds"))
            .Select(l => l.Split(' '))
            .Select(f => (f[0], double.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture)))];

    /// <summary>
    /// Where a run's outputs differ from the reference run's: for each output file (entries and
    /// hashes after each stage) and for the upper left at the end, a line naming it and showing
    /// the first lines found only on one side. Empty when the runs agree.
    /// </summary>
    public static List<string> Differences(RealTreeMount reference, RealTreeMount other)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(other);
        var differences = new List<string>();
        foreach (var stage in Stages)
        {
            foreach (var what in new[] { "entries", "sha256" })
            {
                var file = $"{what}.{stage}";
                Compare(Lines(Path.Combine(reference.Output, file)), Lines(Path.Combine(other.Output, file)), $"{what} after {stage}", differences);
            }
        }

        Compare(UpperListing(reference.Upper), UpperListing(other.Upper), "the upper layer left at the end", differences);
        return differences;
    }

    /// <summary>What the upper holds: every entry's type, mode and path (a whiteout is a character device).</summary>
    public static string[] UpperListing(string upper) =>
        [.. Tool.Check("find", upper, "-mindepth", "1", "-printf", "%y %#m %P\n").Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];

    private static string[] Lines(string path) => File.Exists(path) ? File.ReadAllLines(path) : ["(not written)"];

    private static void Compare(string[] expected, string[] actual, string what, List<string> differences)
    {
        var missing = expected.Except(actual, StringComparer.Ordinal).Take(5).ToList();
        var extra = actual.Except(expected, StringComparer.Ordinal).Take(5).ToList();
        if (missing.Count > 0 || extra.Count > 0 || expected.Length != actual.Length)
        {
            differences.Add($"{what} ({expected.Length} lines vs {actual.Length}): only the reference's [{string.Join(" | ", missing)}]; only this one's [{string.Join(" | ", extra)}]");
        }
    }
}
