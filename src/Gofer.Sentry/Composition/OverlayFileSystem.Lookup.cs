using Gofer.Native;
using Gofer.Protocol.Layers;
using Gofer.Protocol.V1;

namespace Gofer.Sentry.Composition;

public sealed partial class OverlayFileSystem
{
    /// <summary>
    /// The node of <paramref name="name"/> in a directory, or null when the view has no such name.
    /// Uncached, it costs one round trip whatever the number of layers: the name is looked up in
    /// every layer of the directory at once, and the answers composed here.
    /// </summary>
    private OverlayNode? Lookup(OverlayNode directory, string name)
    {
        var path = OverlayNode.Child(directory.Path, name);
        if (nodes.TryGetValue(path, out var cached))
        {
            return cached;
        }

        // A scratch name is a file being built (or left by a crash while it was): not part of the view.
        if (ScratchName.Is(name))
        {
            return null;
        }

        var found = WalkEveryLayer(directory, [name]).Select(w => w.Count == 0 ? null : w[0]).ToList();
        var hasUpper = directory.Upper is not null;
        var node = Compose(path, hasUpper ? found[0] : null, hasUpper ? found.Skip(1).ToList() : found);
        var kept = node?.Entries ?? [];
        session.Release(found.Where(e => e is not null && !kept.Contains(e)).Select(e => e!.Handle));
        if (node is not null)
        {
            nodes[path] = node;
        }

        return node;
    }

    /// <summary>
    /// Looks up a run of components below <paramref name="start"/> in one round trip: every layer
    /// of <paramref name="start"/> walks the whole run at once, and the answers are composed
    /// component by component (a layer takes part in a component only if it took part in the
    /// directory above it). Stops at a symlink, a non-directory or a missing name; caches what it found.
    /// </summary>
    private void Prefetch(OverlayNode start, IReadOnlyList<string> names)
    {
        var run = names.TakeWhile(n => n is not ("." or "..") && !ScratchName.Is(n)).ToList();
        if (run.Count < 2 || nodes.ContainsKey(OverlayNode.Child(start.Path, run[0])))
        {
            return;
        }

        var sources = start.Entries;
        var walks = WalkEveryLayer(start, run);
        var kept = new HashSet<LayerEntry>();
        var current = start;
        for (var i = 0; i < run.Count && current.IsDirectory; i++)
        {
            // Which walk (by source position) each of the current node's layers came from.
            var participating = current.Entries.Select(e => e.Layer).ToHashSet();
            LayerEntry? EntryAt(int source) =>
                participating.Contains(sources[source].Layer) && walks[source].Count > i ? walks[source][i] : null;

            var upperFound = start.Upper is not null ? EntryAt(0) : null;
            var lowerFound = Enumerable.Range(start.Upper is not null ? 1 : 0, sources.Count - (start.Upper is not null ? 1 : 0)).Select(EntryAt).ToList();
            var path = OverlayNode.Child(current.Path, run[i]);
            var node = Compose(path, current.Upper is not null ? upperFound : null, lowerFound);
            if (node is null)
            {
                break;
            }

            nodes[path] = node;
            kept.UnionWith(node.Entries);
            if (node.Top.IsSymlink)
            {
                break;
            }

            current = node;
        }

        session.Release(walks.SelectMany(w => w).Where(e => !kept.Contains(e)).Select(e => e.Handle));
    }

    /// <summary>
    /// Walks <paramref name="names"/> from each of a directory's layers, all in one round trip:
    /// per layer, the entries it has, as far as it has them.
    /// </summary>
    private List<List<LayerEntry>> WalkEveryLayer(OverlayNode directory, IReadOnlyList<string> names)
    {
        var sources = directory.Entries;
        var answers = session.CallMany(sources.Select(s => new SessionRequest
        {
            Walk = new WalkRequest
            {
                Directory = s.Handle,
                Names = { names.Select(Bytes) },
                Handles = WalkHandles.All,
                Xattrs = { layout.OpaqueXattr is { } opaque ? [opaque] : [] },
            },
        }).ToList());
        return [.. sources.Select((s, i) => GoferSession.Check(answers[i]).Walk.Entries.Select(e => Entry(s.Layer, e)).ToList())];
    }

    private LayerEntry Entry(int layer, WalkEntry entry) =>
        new(layer, entry.Handle, entry.Stat, layout.HasMarkers && entry.Xattrs.Any(x => x.Name == layout.OpaqueXattr && x.Value.ToStringUtf8() == "y"));

    /// <summary>
    /// The node of one name from its entries in the upper and in each lower of its directory, and
    /// whether the lowers alone would show the name (then removing it needs a whiteout).
    /// </summary>
    private OverlayNode? Compose(string path, LayerEntry? upper, IReadOnlyList<LayerEntry?> lowers)
    {
        var node = ComposeEntries(path, upper, lowers);
        return node is null ? null : new OverlayNode(path, node.Upper, node.Lowers)
        {
            CoversLower = node.Upper is null || ComposeEntries(path, null, lowers) is not null,
        };
    }

    /// <summary>The overlay lookup rules over one name's entries in the upper and in each lower of its directory.</summary>
    private OverlayNode? ComposeEntries(string path, LayerEntry? upper, IReadOnlyList<LayerEntry?> lowers)
    {
        if (upper is not null)
        {
            if (IsWhiteout(upper))
            {
                return null;
            }

            if (!upper.IsDirectory || upper.Opaque)
            {
                return new OverlayNode(path, upper, []);
            }
        }

        var merged = new List<LayerEntry>();
        foreach (var lower in lowers)
        {
            if (lower is null)
            {
                continue;
            }

            if (IsWhiteout(lower))
            {
                break;
            }

            if (!lower.IsDirectory)
            {
                // A non-directory ends the search: it is the name only if nothing above it was.
                if (upper is null && merged.Count == 0)
                {
                    return new OverlayNode(path, null, [lower]);
                }

                break;
            }

            merged.Add(lower);
            if (lower.Opaque)
            {
                break;
            }
        }

        return upper is null && merged.Count == 0 ? null : new OverlayNode(path, upper, merged);
    }

    private bool IsWhiteout(LayerEntry entry) => layout.HasMarkers && entry.IsWhiteout;

    /// <summary>
    /// The merged listing of a directory: names of the upper, then of each lower down to the first
    /// opaque one, the topmost entry of a name winning, whiteouts hiding the name below them and
    /// never shown themselves. One round trip for all layers. Values are the winning entries' types.
    /// </summary>
    private Dictionary<string, uint> List(OverlayNode directory)
    {
        var sources = directory.Entries;
        var answers = session.CallMany(sources.Select(s => new SessionRequest { ReadDir = new ReadDirRequest { Handle = s.Handle, WithStat = layout.HasMarkers } }).ToList());
        var listing = new Dictionary<string, uint>(StringComparer.Ordinal);
        var hidden = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < sources.Count; i++)
        {
            foreach (var entry in GoferSession.Check(answers[i]).ReadDir.Entries)
            {
                var name = entry.Name.ToStringUtf8();
                if (listing.ContainsKey(name) || hidden.Contains(name) || ScratchName.Is(name))
                {
                    continue;
                }

                var type = entry.Type << 12;
                if (layout.HasMarkers && type == FileStatus.CharDevice && entry.Stat is { Rdev: 0 })
                {
                    hidden.Add(name);
                    continue;
                }

                listing[name] = type;
            }
        }

        return listing;
    }

    /// <summary>Forgets a path and everything below it (after it changed), releasing the gofer's handles.</summary>
    private void Forget(string path)
    {
        // A file has nothing cached below it: one removal, not a scan of the whole cache (a
        // front that forgets names one by one would otherwise pay for every name cached).
        if (path != "/" && nodes.TryGetValue(path, out var file) && !file.IsDirectory)
        {
            nodes.Remove(path);
            session.Release(file.Entries.Select(e => e.Handle));
            return;
        }

        var prefix = path == "/" ? "/" : path + "/";
        foreach (var key in nodes.Keys.Where(k => k != "/" && (k == path || k.StartsWith(prefix, StringComparison.Ordinal))).ToList())
        {
            var node = nodes[key];
            nodes.Remove(key);
            session.Release(node.Entries.Select(e => e.Handle));
        }
    }

    /// <summary>
    /// Forgets a file after its content or attributes changed, and every other cached name of it:
    /// hard links share one inode, so the change shows through all of them.
    /// </summary>
    private void ForgetFile(OverlayNode node)
    {
        Forget(node.Path);
        if (node.IsDirectory || node.Top.Stat.Nlink < 2)
        {
            return;
        }

        var sameFile = nodes.Values.Where(n => !n.IsDirectory && n.Top.Stat.Dev == node.Top.Stat.Dev && n.Top.Stat.Ino == node.Top.Stat.Ino).Select(n => n.Path).ToList();
        sameFile.ForEach(Forget);
    }

    /// <summary>ENOENT unless the node exists.</summary>
    private static OverlayNode Existing(OverlayNode? node, string operation, string path) =>
        node ?? throw new ErrnoException(Errno.ENOENT, operation, path);
}
