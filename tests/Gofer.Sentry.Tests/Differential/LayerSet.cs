using Gofer.Server.Tests;

namespace Gofer.Sentry.Tests.Differential;

/// <summary>
/// The layers of one overlay mount on disk, in a temporary directory of their own:
/// <c>lower0</c> (topmost) … <c>lowerN</c>, <c>upper</c> and <c>work</c> when writable, and
/// <c>mnt</c>, an empty mount point for the kernel side.
/// </summary>
public sealed class LayerSet : IDisposable
{
    private const string DefaultPrefix = "gofer-diff-";

    private readonly TempDirectory root;

    private LayerSet(TempDirectory root, int lowerCount, bool writable, OverlayFlavor flavor)
    {
        this.root = root;
        Flavor = flavor;
        LowerDirs = [.. Enumerable.Range(0, lowerCount).Select(i => root.Combine($"lower{i}"))];
        UpperDir = writable ? root.Combine("upper") : null;
        WorkDir = writable ? root.Combine("work") : null;
    }

    public OverlayFlavor Flavor { get; }

    /// <summary>Topmost first, as in <c>lowerdir=</c>.</summary>
    public IReadOnlyList<string> LowerDirs { get; }

    /// <summary>Null for a read-only overlay.</summary>
    public string? UpperDir { get; }

    public string? WorkDir { get; }

    /// <summary>The directory holding every layer.</summary>
    public string Root => root.Path;

    public string MountPoint => root.Combine("mnt");

    /// <summary>The option string both sides mount with.</summary>
    public string Options => OverlayMountOptions.Format(this);

    /// <summary>Makes the layers of <paramref name="spec"/> with <paramref name="flavor"/>'s markers in a new temporary directory.</summary>
    /// <param name="prefix">The temporary directory's name prefix: every layer path starts with it.</param>
    public static LayerSet Create(LayerSetSpec spec, OverlayFlavor flavor, string prefix = DefaultPrefix)
    {
        var set = new LayerSet(new TempDirectory(prefix), spec.Lowers.Count, spec.Upper is not null, flavor);
        try
        {
            for (var i = 0; i < spec.Lowers.Count; i++)
            {
                Directory.CreateDirectory(set.LowerDirs[i]);
                LayerWriter.Write(spec.Lowers[i], set.LowerDirs[i], flavor);
            }

            if (spec.Upper is not null)
            {
                Directory.CreateDirectory(set.UpperDir!);
                Directory.CreateDirectory(set.WorkDir!);
                LayerWriter.Write(spec.Upper, set.UpperDir!, flavor);
            }

            Directory.CreateDirectory(set.MountPoint);
            return set;
        }
        catch
        {
            set.Dispose();
            throw;
        }
    }

    /// <summary>
    /// An identical copy for the other side. <c>--preserve=all</c> makes any attribute that cannot be
    /// kept an error instead of a silent loss; as root it keeps trusted.* xattrs, device nodes
    /// (whiteouts), owners and the hard links within the tree.
    /// </summary>
    public LayerSet Copy()
    {
        var copy = new LayerSet(new TempDirectory(DefaultPrefix), LowerDirs.Count, UpperDir is not null, Flavor);
        try
        {
            Tool.Check("cp", "-a", "--preserve=all", "--", root.Path + "/.", copy.root.Path);
            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    public void Dispose() => root.Dispose();
}
