using Gofer.Server.Tests.Service;

namespace Gofer.Sentry.Tests.Differential;

/// <summary>
/// Random scripts from a seed: 9 to 39 operations of EXEC.md, then a <c>tree</c> of the whole
/// mount. Paths are mostly what the mount shows (so that operations succeed and copy up), and
/// also names the layers hide or white out, others of the generator's path space (missing, or
/// reached through a symlink or a file), new names, and whatever the script has made so far.
/// </summary>
public sealed class ScriptGenerator
{
    private static readonly uint[] FileModes = [Octal.Of("644"), Octal.Of("600"), Octal.Of("755"), Octal.Of("444"), Octal.Of("4755")];
    private static readonly uint[] DirectoryModes = [Octal.Of("755"), Octal.Of("700"), Octal.Of("1777")];
    private static readonly uint[] Owners = [0, 1000, 65534];

    private readonly Random random;

    /// <summary>
    /// With <c>redirect_dir=on</c>, renaming the layers' directories is where the rules are: the
    /// script moves directories often, moves them on and back, and then aims at what they hold.
    /// </summary>
    private readonly bool movesDirectories;

    /// <summary>The directories the mount shows at first: the layers' own, the ones a rename must redirect.</summary>
    private readonly List<string> layerDirectories;

    /// <summary>The directory renames made so far, to move some back.</summary>
    private readonly List<(string From, string To)> moves = [];

    /// <summary>Every path the layers name, shown or not, and every path the script made.</summary>
    private readonly List<string> known;

    /// <summary>What the mount shows at first, and every path the script made (whether or not that worked).</summary>
    private readonly List<string> shown;

    /// <summary>The directories among <see cref="shown"/>, and every directory the script made.</summary>
    private readonly List<string> directories;

    private int newNames;

    private ScriptGenerator(int seed, LayerSetSpec layers, OverlayFlavor flavor)
    {
        movesDirectories = flavor == OverlayFlavor.TrustedRedirect;
        // Its own stream, so changing how layers are drawn does not change every script as well.
        random = new Random(~seed);
        known = [.. layers.Paths];
        var visible = layers.Visible.ToList();
        shown = [.. visible.Select(v => v.Path)];
        directories = [.. visible.Where(v => v.Kind == EntryKind.Directory).Select(v => v.Path)];
        layerDirectories = [.. directories];
    }

    public static IReadOnlyList<ScriptStep> Generate(int seed, LayerSetSpec layers, OverlayFlavor flavor)
    {
        var generator = new ScriptGenerator(seed, layers, flavor);
        var count = generator.random.Next(9, 40);
        return [.. Enumerable.Range(0, count).Select(_ => generator.Next()), Ops.Tree()];
    }

    private ScriptStep Next() => random.ChooseWeighted<Func<ScriptStep>>(
        (() => Ops.Lstat(ReadPath()), 8),
        (() => Ops.Stat(ReadPath()), 4),
        (() => Ops.Readdir(ReadPath()), 7),
        (() => Ops.Read(AnyPath(), random.Next(4) == 0 ? random.Next(1, 9) : 0, random.Next(3) == 0 ? random.Next(17) : -1), 6),
        (() => Ops.Write(AnyPath(), Data(), random.Next(9)), 5),
        (() => Ops.Append(AnyPath(), Data()), 4),
        (() => Ops.Create(Made(TargetPath()), random.Choose(FileModes), excl: random.Next(3) == 0, trunc: random.Next(2) == 0), 5),
        (() => Ops.Truncate(AnyPath(), random.Next(25)), 3),
        (() => Ops.Mkdir(MadeDirectory(TargetPath()), random.Choose(DirectoryModes)), 5),
        (() => Ops.Rmdir(AnyPath()), 4),
        (() => Ops.Unlink(AnyPath()), 5),
        (() => Ops.Mkfifo(Made(TargetPath()), random.Choose(FileModes)), 2),
        (() => Ops.Rename(AnyPath(), Made(TargetPath()), random.ChooseWeighted(("", 6), ("noreplace", 2), ("exchange", 2))), 7),
        (() => Ops.Link(AnyPath(), Made(TargetPath())), 3),
        (() => Ops.Symlink(SymlinkTarget(), Made(TargetPath())), 3),
        (() => Ops.Readlink(AnyPath()), 2),
        (() => Ops.Chmod(AnyPath(), random.Choose(FileModes)), 3),
        (() => Ops.Chown(AnyPath(), random.Choose(Owners), random.Choose(Owners)), 2),
        (() => Ops.Utimes(AnyPath(), Time(), Time()), 2),
        (() => Ops.SetXattr(ReadPath(), XattrName(), Data(), random.ChooseWeighted(("", 6), ("create", 2), ("replace", 2))), 4),
        (() => Ops.GetXattr(ReadPath(), XattrName()), 3),
        (() => Ops.ListXattr(ReadPath()), 3),
        (() => Ops.RemoveXattr(AnyPath(), XattrName()), 2),
        (MoveDirectory, movesDirectories ? 25 : 0))();

    /// <summary>
    /// A rename of a directory, mostly one of the layers': back to where an earlier move took it
    /// from, to a new name (beside it or elsewhere), or onto another directory (replaced or exchanged).
    /// </summary>
    private ScriptStep MoveDirectory()
    {
        if (moves.Count > 0 && random.Next(4) == 0)
        {
            var (from, to) = random.Choose([.. moves]);
            return Moved(to, from, "");
        }

        var source = random.Next(4) > 0 ? OneOf(layerDirectories) : OneOf(directories);
        if (random.Next(5) == 0)
        {
            return Moved(source, OneOf(directories), random.Next(2) == 0 ? "exchange" : "");
        }

        var parent = random.Next(2) == 0 ? source[..source.LastIndexOf('/')] : random.Next(3) == 0 ? "" : OneOf(directories);
        return Moved(source, parent + "/n" + newNames++, random.Next(8) == 0 ? "noreplace" : "");
    }

    /// <summary>The rename, and what the directory holds under its new name for later steps to aim at.</summary>
    private ScriptStep Moved(string from, string to, string mode)
    {
        moves.Add((from, to));
        foreach (var path in shown.Where(p => p.StartsWith(from + "/", StringComparison.Ordinal)).ToList())
        {
            var moved = to + path[from.Length..];
            if (directories.Contains(path))
            {
                MadeDirectory(moved);
            }
            else
            {
                Made(moved);
            }
        }

        MadeDirectory(to);
        return Ops.Rename(from, to, mode);
    }

    /// <summary>
    /// A path to look at or give an xattr: the root as well. No other operation gets the root:
    /// removing, renaming or linking it tests the mount point, not the overlay.
    /// </summary>
    private string ReadPath() => random.Next(10) == 0 ? "/" : AnyPath();

    private string AnyPath() => random.ChooseWeighted((0, 50), (1, 20), (2, 15), (3, 15)) switch
    {
        0 => OneOf(shown),
        1 => OneOf(known),
        2 => random.Choose([.. LayerSetGenerator.PathSpace]),
        _ => NewPath(),
    };

    /// <summary>Where to make something: mostly a new name, sometimes one that may exist.</summary>
    private string TargetPath() => random.Next(5) < 3 ? NewPath() : AnyPath();

    /// <summary>A name nothing has used: in the root, in a directory the mount shows, or below any path (a directory or not).</summary>
    private string NewPath() => random.ChooseWeighted((0, 25), (1, 60), (2, 15)) switch
    {
        0 => "",
        1 => OneOf(directories),
        _ => OneOf(known),
    } + "/n" + newNames++;

    /// <summary>One of <paramref name="paths"/>; when there is none (the layers may all be empty), any path of the path space.</summary>
    private string OneOf(List<string> paths) => random.Choose<string>(paths.Count > 0 ? [.. paths] : [.. LayerSetGenerator.PathSpace]);

    /// <summary>Later steps may aim at what this step makes.</summary>
    private string Made(string path)
    {
        foreach (var list in new[] { known, shown })
        {
            if (!list.Contains(path))
            {
                list.Add(path);
            }
        }

        return path;
    }

    private string MadeDirectory(string path)
    {
        if (!directories.Contains(path))
        {
            directories.Add(path);
        }

        return Made(path);
    }

    private string SymlinkTarget() => random.ChooseWeighted((AnyPath(), 4), (OneOf(known).TrimStart('/'), 3), ("../" + random.Choose("a", "b", "missing"), 2));

    private string XattrName() => random.ChooseWeighted(("user.a", 3), ("user.b", 3), ("user.c", 3), ("user.overlay.opaque", 1));

    private string Data() => new([.. Enumerable.Range(0, random.Next(13)).Select(_ => (char)('a' + random.Next(26)))]);

    private long Time() => (random.NextInt64(0, 2_000_000_000) * 1_000_000_000) + random.Next(1_000_000_000);
}
