namespace Gofer.Sentry.Composition;

/// <summary>
/// One name of the composed view: the layers' entries that make it. A non-directory comes from one
/// layer (the topmost that has it); a directory merges its upper entry (if any) with the lower
/// directories below it down to the first opaque one.
/// </summary>
public sealed class OverlayNode(string path, LayerEntry? upper, IReadOnlyList<LayerEntry> lowers)
{
    /// <summary>The canonical path inside the view (<c>/</c>, <c>/a/b</c>).</summary>
    public string Path { get; } = path;

    /// <summary>The entry in the upper layer; set by copy-up.</summary>
    public LayerEntry? Upper { get; set; } = upper;

    /// <summary>The lower entries this name shows or merges, topmost first.</summary>
    public IReadOnlyList<LayerEntry> Lowers { get; } = lowers;

    /// <summary>
    /// Some lower layer would show this name if the upper did not: removing or renaming it must
    /// leave a whiteout, and a directory made in its place must be opaque.
    /// </summary>
    public bool CoversLower { get; init; }

    /// <summary>
    /// The upper directory's redirect as the lookup read it (the kernel keeps the same in memory):
    /// where its lower parts are, relative to its parent's lower directories or, starting with '/',
    /// from the root of the lower layers. Null when it has none.
    /// </summary>
    public string? Redirect { get; init; }

    /// <summary>
    /// The upper entry's stat is out of date (a name was made, removed or renamed in this
    /// directory): its attributes are read again before they are shown.
    /// </summary>
    public bool UpperStatStale { get; set; }

    /// <summary>Every layer's entry of this name: the upper's first, then the lowers'.</summary>
    public IReadOnlyList<LayerEntry> Entries => Upper is { } upper ? [upper, .. Lowers] : Lowers;

    /// <summary>The entry whose stat and content the view shows.</summary>
    public LayerEntry Top => Upper ?? Lowers[0];

    public bool IsDirectory => Top.IsDirectory;

    /// <summary>A directory with more than one layer behind it, or whose lower parts are visible.</summary>
    public bool IsMerged => IsDirectory && Lowers.Count > 0 && (Upper is not null || Lowers.Count > 1);

    /// <summary>The name within its parent directory ("" for the root).</summary>
    public string Name => Path == "/" ? "" : Path[(Path.LastIndexOf('/') + 1)..];

    /// <summary>The parent's canonical path (the root's parent is the root).</summary>
    public string ParentPath => ParentOf(Path);

    public static string ParentOf(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    public static string Child(string parent, string name) => parent == "/" ? "/" + name : parent + "/" + name;
}
