namespace Gofer.Sentry.Tests.Differential;

/// <summary>
/// overlayfs's lookup over layers described as data, without following symlinks: enough for the
/// generators to aim at what a mount shows. It is no oracle: the kernel is the only one.
/// </summary>
public static class OverlayLookup
{
    /// <summary>
    /// The kind of the entry the layers show at <paramref name="path"/>, or null when they show
    /// nothing there. Each component comes from the topmost layer that has it; a whiteout hides
    /// it; a directory merges with the directories of the same name below until an opaque one
    /// or a non-directory. A hard link shows as a file.
    /// </summary>
    /// <param name="layers">Topmost first.</param>
    public static EntryKind? Find(IEnumerable<Layer> layers, string path)
    {
        IEnumerable<Dictionary<string, LayerEntry>> searched = [.. layers.Select(l => l.Entries.ToDictionary(e => e.Path, StringComparer.Ordinal))];
        var prefix = "";
        foreach (var name in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            prefix += "/" + name;
            var hits = searched.Select(layer => (Layer: layer, Entry: layer.GetValueOrDefault(prefix))).Where(hit => hit.Entry is not null).ToList();
            if (hits.Count == 0 || hits[0].Entry!.Kind == EntryKind.Whiteout)
            {
                return null;
            }

            var top = hits[0].Entry!.Kind;
            if (top != EntryKind.Directory)
            {
                return prefix == path ? (top == EntryKind.HardLink ? EntryKind.File : top) : null;
            }

            // The layers that merge into this directory: directories from the top down, ending after an opaque one or before anything else.
            var merged = hits.TakeWhile(hit => hit.Entry!.Kind == EntryKind.Directory).ToList();
            var opaque = merged.FindIndex(hit => hit.Entry!.Opacity == Opacity.Opaque);
            searched = [.. merged.Take(opaque < 0 ? merged.Count : opaque + 1).Select(hit => hit.Layer)];
        }

        return EntryKind.Directory;
    }
}
