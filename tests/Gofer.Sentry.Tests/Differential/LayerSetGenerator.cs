using Gofer.Server.Tests.Service;

namespace Gofer.Sentry.Tests.Differential;

/// <summary>
/// Random layer sets from a seed: one to three lowers and an upper (empty, or already holding
/// entries as a container's upper does after a restart). Names come from a small alphabet per
/// depth so layers keep meeting on the same paths, and each layer chooses what to put on a path
/// knowing what the layers below put there: directories merge, replace files and are replaced,
/// are whited out and made opaque far more often than independent choices would make them.
/// </summary>
/// <remarks>
/// The layers are ones overlayfs itself could have left: a whiteout only ever hides an entry the
/// layers below show, inside a directory that merges with them. The kernel lists a whiteout in a
/// directory no other layer adds to (readdir of such a directory passes the real one through)
/// and then cannot stat it; that is an artifact of layers it never writes, not a rule to copy.
/// </remarks>
public sealed class LayerSetGenerator
{
    /// <summary>Small enough that a case runs in well under a second.</summary>
    public const int MaxEntriesPerLayer = 30;

    /// <summary>The names used at each depth: <c>/a</c>…<c>/e</c>, then <c>f g h</c>, then <c>i j</c>.</summary>
    private static readonly string[][] NamesByDepth = [["a", "b", "c", "d", "e"], ["f", "g", "h"], ["i", "j"]];

    private static readonly string[] XattrNames = ["user.a", "user.b"];
    private static readonly uint[] FileModes = [Octal.Of("644"), Octal.Of("600"), Octal.Of("755"), Octal.Of("444")];
    private static readonly uint[] DirectoryModes = [Octal.Of("755"), Octal.Of("700"), Octal.Of("775")];

    private readonly Random random;

    /// <summary>The layers made so far, topmost first.</summary>
    private readonly List<Layer> layersBelow = [];

    private readonly List<LayerEntry> entries = [];
    private string layerName = "";

    /// <summary>Lower directories are what redirect_dir=on is about: that flavor's layers hold more of them.</summary>
    private readonly int directoryWeight;

    private LayerSetGenerator(int seed, OverlayFlavor flavor)
    {
        random = new Random(seed);
        directoryWeight = flavor == OverlayFlavor.TrustedRedirect ? 3 : 1;
    }

    /// <summary>Every path the generator may use, whether or not a given layer set has it: the script generator aims at these too.</summary>
    public static IReadOnlyList<string> PathSpace { get; } = [.. Paths("", 0)];

    public static LayerSetSpec Generate(int seed, OverlayFlavor flavor) => new LayerSetGenerator(seed, flavor).Generate();

    private static IEnumerable<string> Paths(string parent, int depth) =>
        depth == NamesByDepth.Length ? [] : NamesByDepth[depth].SelectMany(name => (IEnumerable<string>)[parent + "/" + name, .. Paths(parent + "/" + name, depth + 1)]);

    private LayerSetSpec Generate()
    {
        var lowerCount = random.Next(1, 4);
        var lowers = new List<Layer>();
        for (var i = lowerCount - 1; i >= 0; i--)
        {
            lowers.Insert(0, NextLayer($"lower{i}"));
        }

        var upper = random.NextDouble() < 0.7 ? NextLayer("upper") : Layer.Empty;
        return new LayerSetSpec(lowers, upper);
    }

    private Layer NextLayer(string name)
    {
        layerName = name;
        entries.Clear();
        Fill("", 0, merges: true);
        var layer = new Layer([.. entries]);
        layersBelow.Insert(0, layer);
        return layer;
    }

    /// <param name="merges">Whether every directory above in this layer lets the lookup go on to the layers below (none is opaque).</param>
    private void Fill(string parent, int depth, bool merges)
    {
        foreach (var name in NamesByDepth[depth])
        {
            if (entries.Count >= MaxEntriesPerLayer)
            {
                return;
            }

            var path = parent + "/" + name;
            // What the topmost layer below that has this path put there, shown or not.
            var under = layersBelow.Select(l => l.Entries.FirstOrDefault(e => e.Path == path)).FirstOrDefault(e => e is not null)?.Kind;
            if (random.NextDouble() >= (under is not null ? 0.7 : depth == 0 ? 0.5 : 0.35))
            {
                continue;
            }

            var entry = Make(path, PickKind(under, whiteoutHides: merges && VisibleBelow(path)));
            entries.Add(entry);
            if (entry.Kind == EntryKind.Directory && depth + 1 < NamesByDepth.Length)
            {
                Fill(path, depth + 1, merges && entry.Opacity != Opacity.Opaque);
            }
        }
    }

    /// <summary>Mostly continues what is below (merge a directory, replace a file), sometimes hides or replaces it.</summary>
    private EntryKind PickKind(EntryKind? under, bool whiteoutHides)
    {
        var kind = under switch
        {
            EntryKind.Directory => random.ChooseWeighted((EntryKind.Directory, 55 * directoryWeight), (EntryKind.Whiteout, 15), (EntryKind.File, 12), (EntryKind.Symlink, 6), (EntryKind.Fifo, 4), (EntryKind.HardLink, 8)),
            EntryKind.Whiteout => random.ChooseWeighted((EntryKind.Directory, 35), (EntryKind.File, 30), (EntryKind.Whiteout, 10), (EntryKind.Symlink, 10), (EntryKind.Fifo, 5), (EntryKind.HardLink, 10)),
            null => random.ChooseWeighted((EntryKind.Directory, 40 * directoryWeight), (EntryKind.File, 30), (EntryKind.Symlink, 12), (EntryKind.Fifo, 5), (EntryKind.Whiteout, 5), (EntryKind.HardLink, 8)),
            _ => random.ChooseWeighted((EntryKind.File, 35), (EntryKind.Whiteout, 20), (EntryKind.Directory, 20), (EntryKind.Symlink, 10), (EntryKind.Fifo, 5), (EntryKind.HardLink, 10)),
        };

        // A hard link needs a file of this layer to name; a whiteout, something to hide.
        return kind switch
        {
            EntryKind.HardLink when !entries.Any(e => e.Kind == EntryKind.File) => EntryKind.File,
            EntryKind.Whiteout when !whiteoutHides => EntryKind.File,
            _ => kind,
        };
    }

    private bool VisibleBelow(string path) => OverlayLookup.Find(layersBelow, path) is not null;

    private LayerEntry Make(string path, EntryKind kind)
    {
        var entry = kind switch
        {
            EntryKind.Directory => LayerEntry.Dir(
                path,
                random.ChooseWeighted((Opacity.None, 73), (Opacity.Opaque, 20), (Opacity.OtherNamespace, 7)),
                random.Choose(DirectoryModes)),
            EntryKind.File => LayerEntry.File(path, random.Next(10) == 0 ? "" : $"{layerName} {path}\n", random.Choose(FileModes)),
            EntryKind.Symlink => LayerEntry.Symlink(path, SymlinkTarget(path)),
            EntryKind.Fifo => LayerEntry.Fifo(path, random.Choose(FileModes)),
            EntryKind.Whiteout => LayerEntry.Whiteout(path),
            EntryKind.HardLink => LayerEntry.HardLink(path, random.Choose([.. entries.Where(e => e.Kind == EntryKind.File).Select(e => e.Path)])),
            _ => throw new InvalidOperationException($"unknown kind {kind}"),
        };

        // user.* xattrs are refused on anything but files and directories.
        if (kind is EntryKind.Directory or EntryKind.File && random.Next(4) == 0)
        {
            entry = entry.WithXattr(random.Choose(XattrNames), $"{layerName} {path}");
        }

        if (kind is not (EntryKind.Whiteout or EntryKind.HardLink) && random.Next(7) == 0)
        {
            entry = entry.OwnedBy(1000, 1000);
        }

        return entry;
    }

    /// <summary>Relative and absolute targets, some of them dangling, some loops, some through other symlinks.</summary>
    private string SymlinkTarget(string path)
    {
        var depth = path.Count(c => c == '/') - 1;
        var sibling = random.Choose(NamesByDepth[depth]);
        return random.ChooseWeighted(
            (sibling, 30),
            (depth > 0 ? "../" + random.Choose(NamesByDepth[depth - 1]) : sibling, 15),
            (depth + 1 < NamesByDepth.Length ? sibling + "/" + random.Choose(NamesByDepth[depth + 1]) : sibling, 15),
            (random.Choose([.. PathSpace]), 30),
            (random.Choose("missing", "/missing/x"), 10));
    }
}
