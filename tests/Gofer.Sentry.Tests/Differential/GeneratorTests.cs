namespace Gofer.Sentry.Tests.Differential;

/// <summary>The generators are deterministic, and the seeds CI runs reach every kind of layer content and every operation.</summary>
public sealed class GeneratorTests
{
    private static readonly string[] LayerFeatures =
    [
        "1 lower", "2 lowers", "3 lowers", "empty upper", "pre-existing upper",
        "merged directory", "directory replaced by a non-directory", "non-directory replaced by a directory",
        "whiteout over an entry", "opaque directory over a directory", "other namespace's opaque marker",
        "relative symlink", "absolute symlink", "FIFO", "hard link", "file xattr", "directory xattr", "owner",
    ];

    /// <summary>Every operation of EXEC.md.</summary>
    private static readonly string[] Operations =
    [
        "lstat", "stat", "readdir", "read", "write", "append", "create", "truncate", "mkdir", "rmdir", "unlink", "mkfifo",
        "rename", "link", "symlink", "readlink", "chmod", "chown", "utimes", "setxattr", "getxattr", "listxattr", "removexattr", "tree",
    ];

    private static readonly IReadOnlyList<DifferentialCase> CiCases =
        [.. Enumerable.Range(0, RandomCases.CiSeeds).Select(seed => RandomCases.ForSeed(seed, typeof(GeneratorTests)))];

    [Fact]
    public void A_seed_makes_the_same_layers_and_script_every_time()
    {
        foreach (var seed in Enumerable.Range(0, 10))
        {
            var once = RandomCases.ForSeed(seed, typeof(GeneratorTests));
            var again = RandomCases.ForSeed(seed, typeof(GeneratorTests));
            Assert.Equal(once.Layers.ToString(), again.Layers.ToString());
            Assert.Equal(once.Input, again.Input);
        }
    }

    [Fact]
    public void Every_ci_seed_makes_a_different_case()
    {
        Assert.Equal(CiCases.Count, CiCases.Select(c => c.Layers.ToString()).Distinct().Count());
        Assert.Equal(CiCases.Count, CiCases.Select(c => c.Input).Distinct().Count());
    }

    [Fact]
    public void Layers_stay_small_and_scripts_end_with_a_tree_of_the_mount()
    {
        foreach (var testCase in CiCases)
        {
            Assert.All(Layers(testCase.Layers), layer => Assert.InRange(layer.Entries.Count, 0, LayerSetGenerator.MaxEntriesPerLayer));
            Assert.InRange(testCase.Steps.Count, 10, 40);
            Assert.Equal(Ops.Tree().Line, testCase.Steps[^1].Line);
        }
    }

    [Fact]
    public void The_ci_seeds_reach_every_kind_of_layer_content()
    {
        var seen = CiCases.SelectMany(c => Features(c.Layers)).ToHashSet();

        Assert.Empty(LayerFeatures.Except(seen));
    }

    [Fact]
    public void The_ci_seeds_use_every_operation()
    {
        var used = CiCases.SelectMany(c => c.Steps).Select(s => (string)s.Operation["op"]!).ToHashSet();

        Assert.Empty(Operations.Except(used));
    }

    /// <summary>Topmost first.</summary>
    private static List<Layer> Layers(LayerSetSpec spec) => spec.Upper is null ? [.. spec.Lowers] : [spec.Upper, .. spec.Lowers];

    private static IEnumerable<string> Features(LayerSetSpec spec)
    {
        yield return spec.Lowers.Count == 1 ? "1 lower" : $"{spec.Lowers.Count} lowers";
        yield return spec.Upper is { Entries.Count: > 0 } ? "pre-existing upper" : "empty upper";
        var layers = Layers(spec);
        for (var i = 0; i < layers.Count; i++)
        {
            foreach (var entry in layers[i].Entries)
            {
                var under = layers.Skip(i + 1).SelectMany(l => l.Entries).Where(e => e.Path == entry.Path).Select(e => e.Kind).ToList();
                var overDirectory = under.Contains(EntryKind.Directory);
                var overOther = under.Any(k => k is not (EntryKind.Directory or EntryKind.Whiteout));
                foreach (var feature in Features(entry, overDirectory, overOther))
                {
                    yield return feature;
                }
            }
        }
    }

    private static IEnumerable<string> Features(LayerEntry entry, bool overDirectory, bool overOther)
    {
        var isDirectory = entry.Kind == EntryKind.Directory;
        var isOther = entry.Kind is not (EntryKind.Directory or EntryKind.Whiteout);
        var features = new (bool Present, string Name)[]
        {
            (isDirectory && overDirectory, "merged directory"),
            (isOther && overDirectory, "directory replaced by a non-directory"),
            (isDirectory && overOther, "non-directory replaced by a directory"),
            (entry.Kind == EntryKind.Whiteout && (overDirectory || overOther), "whiteout over an entry"),
            (entry.Opacity == Opacity.Opaque && overDirectory, "opaque directory over a directory"),
            (entry.Opacity == Opacity.OtherNamespace, "other namespace's opaque marker"),
            (entry.Kind == EntryKind.Symlink && !entry.Target.StartsWith('/'), "relative symlink"),
            (entry.Kind == EntryKind.Symlink && entry.Target.StartsWith('/'), "absolute symlink"),
            (entry.Kind == EntryKind.Fifo, "FIFO"),
            (entry.Kind == EntryKind.HardLink, "hard link"),
            (entry.Kind == EntryKind.File && entry.Xattrs.Count > 0, "file xattr"),
            (isDirectory && entry.Xattrs.Count > 0, "directory xattr"),
            (entry.Uid != 0, "owner"),
        };
        return features.Where(f => f.Present).Select(f => f.Name);
    }
}
