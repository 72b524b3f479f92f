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
        if (cache.TryGet(path, out var cached))
        {
            return cached;
        }

        if (absent.Contains(path))
        {
            return null;
        }

        // A scratch name is a file being built (or left by a crash while it was): not part of the view.
        if (ScratchName.Is(name))
        {
            return null;
        }

        var found = WalkEveryLayer(directory, [name]).Select(w => w.Count == 0 ? null : w[0]).ToList();
        var hasUpper = directory.Upper is not null;
        var node = Compose(directory, name, hasUpper ? found[0] : null, hasUpper ? found.Skip(1).ToList() : found, out _);
        var kept = node?.Entries ?? [];
        session.Release(found.Where(e => e is not null && !kept.Contains(e)).Select(e => e!.Handle));
        if (node is not null)
        {
            cache.Add(node);
        }
        else
        {
            // Remembered as absent until a change makes the name (every change forgets the
            // names it touches). Bounded: past the limit the set starts again, which costs
            // lookups, never correctness.
            if (absent.Count >= MaxAbsentNames)
            {
                absent.Clear();
            }

            absent.Add(path);
        }

        return node;
    }

    /// <summary>
    /// Looks up a run of components below <paramref name="start"/> in one round trip: every layer
    /// of <paramref name="start"/> walks the whole run at once, and the answers are composed
    /// component by component (a layer takes part in a component only if it took part in the
    /// directory above it). Stops at a symlink, a non-directory, a missing name or a redirect
    /// (past one, the layers' walks went where the lookup does not); caches what it found.
    /// </summary>
    private void Prefetch(OverlayNode start, IReadOnlyList<string> names)
    {
        var run = names.TakeWhile(n => n is not ("." or "..") && !ScratchName.Is(n)).ToList();
        if (run.Count < 2 || cache.Contains(OverlayNode.Child(start.Path, run[0])))
        {
            return;
        }

        var sources = start.Entries;
        var walks = WalkEveryLayer(start, run);
        var kept = new HashSet<LayerEntry>();
        var current = start;
        for (var i = 0; i < run.Count && current.IsDirectory; i++)
        {
            // Each of the current directory's layers walked on from the start's entry of that layer.
            LayerEntry? EntryOf(LayerEntry directory)
            {
                var walk = walks[sources.ToList().FindIndex(s => s.Layer == directory.Layer)];
                return walk.Count > i ? walk[i] : null;
            }

            var path = OverlayNode.Child(current.Path, run[i]);
            var node = Compose(current, run[i], current.Upper is { } upper ? EntryOf(upper) : null, [.. current.Lowers.Select(EntryOf)], out var redirected);
            if (node is null)
            {
                break;
            }

            cache.Add(node);
            kept.UnionWith(node.Entries);
            if (node.Top.IsSymlink || redirected)
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
    private List<List<LayerEntry>> WalkEveryLayer(OverlayNode directory, IReadOnlyList<string> names) => WalkEach(directory.Entries, names);

    /// <summary>
    /// Walks <paramref name="names"/> from each of <paramref name="directories"/> in one round
    /// trip, reading the overlay's markers on every directory met. A name too long for any layer
    /// (ENAMETOOLONG) is one no layer has: the walks stop before it.
    /// </summary>
    private List<List<LayerEntry>> WalkEach(IReadOnlyList<LayerEntry> directories, IReadOnlyList<string> names)
    {
        var walked = names.TakeWhile(n => System.Text.Encoding.UTF8.GetByteCount(n) <= RedirectPath.MaxNameLength).ToList();
        if (walked.Count == 0)
        {
            return [.. directories.Select(_ => new List<LayerEntry>())];
        }

        string[] markers = layout.HasMarkers ? [layout.OpaqueXattr!, layout.RedirectXattr!] : [];
        var answers = session.CallMany(directories.Select(s => new SessionRequest
        {
            Walk = new WalkRequest
            {
                Directory = s.Handle,
                Names = { walked.Select(Bytes) },
                Handles = WalkHandles.All,
                Xattrs = { markers },
            },
        }).ToList());
        var walks = answers.Select(a => a.Walk ?? new WalkResponse()).ToList();

        // A walk stops where a name is missing (ENOENT) or below a non-directory (ENOTDIR), and
        // the layer then has nothing there. Any other reason, or a walk that failed whole (a
        // resource failure above all), says nothing about the name: it fails the lookup, which is
        // then neither answered ENOENT nor remembered as absent. The other walks' handles are given back.
        var failed = answers.FirstOrDefault(a => a.ResultCase == SessionResponse.ResultOneofCase.Failure)?.Failure.Errno
            ?? walks.FirstOrDefault(w => w.Status == WalkStatus.Stopped && w.Errno is not (Errno.ENOENT or Errno.ENOTDIR))?.Errno;
        if (failed is { } errno)
        {
            session.Release(walks.SelectMany(w => w.Entries).Select(e => e.Handle));
            throw new ErrnoException(errno, "lookup", string.Join('/', walked));
        }

        return [.. directories.Select((s, i) => walks[i].Entries.Select(e => Entry(s.Layer, e)).ToList())];
    }

    private LayerEntry Entry(int layer, WalkEntry entry) =>
        new(layer, entry.Handle, entry.Stat,
            layout.HasMarkers && entry.Xattrs.Any(x => x.Name == layout.OpaqueXattr && x.Value.ToStringUtf8() == "y"),
            layout.HasMarkers ? entry.Xattrs.FirstOrDefault(x => x.Name == layout.RedirectXattr)?.Value.ToStringUtf8() : null);

    /// <summary>
    /// The node of one name of <paramref name="directory"/>, by the kernel's lookup (fs/overlayfs/namei.c,
    /// ovl_lookup), from the entries a walk of the plain name found in the directory's upper and in
    /// each of its lower directories. The upper is asked first, then the lowers top-down: a whiteout
    /// hides what lies below; a non-directory ends the search (and shows only if nothing above
    /// it did); directories merge down to an opaque one. A directory carrying a redirect sends the
    /// search on at the name it gives — a single name in the parent's lower directories, or a path
    /// from the lower layers' root — and the layers below are then asked for that name, in one
    /// more round trip. <paramref name="redirected"/> tells that happened.
    /// </summary>
    private OverlayNode? Compose(OverlayNode directory, string name, LayerEntry? upperFound, IReadOnlyList<LayerEntry?> lowersFound, out bool redirected)
    {
        var path = OverlayNode.Child(directory.Path, name);
        var lookup = new NameLookup(name, path);
        var follow = layout.FollowsRedirects;
        var roots = cache.Root.Lowers;
        var parentLowers = directory.Lowers;
        var bottom = roots.Count > 0 ? roots[^1].Layer : -1;
        var rewalked = new List<LayerEntry>();
        OverlayNode? result = null;
        try
        {
            LayerEntry? upper = null;
            string? upperRedirect = null;
            if (directory.Upper is not null)
            {
                // With nofollow, a layer with nothing below it is not asked for markers at all.
                lookup.Last = !follow && parentLowers.Count == 0;
                upper = LookupInLayer(upperFound is null ? [] : [upperFound], lookup);
                if (lookup.Redirected)
                {
                    upperRedirect = upperFound!.Redirect;
                    parentLowers = lookup.Absolute ? roots : parentLowers;
                    lookup.NextRedirect = true;
                }
            }

            var stack = new List<LayerEntry>();
            IReadOnlyList<IReadOnlyList<LayerEntry>>? answers = lookup.Redirected ? null : [.. lowersFound.Select(e => (IReadOnlyList<LayerEntry>)(e is null ? [] : [e]))];
            for (var i = 0; !lookup.Stop && i < parentLowers.Count; i++)
            {
                // Following a redirect is like following a symlink into a lower layer without its
                // permission checks: with nofollow the kernel refuses the lookup, and so does the sentry.
                if (lookup.NextRedirect && !follow)
                {
                    throw new ErrnoException(Errno.EPERM, "lookup", path);
                }

                // The bottom layer's markers are never read: nothing lies below it to hide or redirect to.
                lookup.Last = follow ? parentLowers[i].Layer == bottom : i == parentLowers.Count - 1;
                if (answers is null)
                {
                    var rest = parentLowers.Skip(i).ToList();
                    var walks = WalkEach(rest, lookup.Components);
                    rewalked.AddRange(walks.SelectMany(w => w));
                    answers = [.. Enumerable.Repeat<IReadOnlyList<LayerEntry>>([], i), .. walks];
                }

                var changes = lookup.Changes;
                var found = LookupInLayer(answers[i], lookup);
                if (lookup.Changes != changes)
                {
                    answers = null;
                }

                if (found is null)
                {
                    continue;
                }

                stack.Add(found);
                lookup.NextRedirect |= lookup.Redirected;
                if (lookup.Stop)
                {
                    break;
                }

                if (lookup.Absolute && !ReferenceEquals(parentLowers, roots))
                {
                    // An absolute redirect goes on from the lower layers' root, below this layer.
                    parentLowers = roots;
                    i = roots.ToList().FindIndex(r => r.Layer == found.Layer);
                    answers = null;
                }
            }

            redirected = lookup.Redirected;
            var node = upper switch
            {
                null when stack.Count == 0 => null,
                null => new OverlayNode(path, null, stack[0].IsDirectory ? stack : [stack[0]]),
                _ => new OverlayNode(path, upper, upper.IsDirectory ? stack : []),
            };
            result = node is null ? null : new OverlayNode(path, node.Upper, node.Lowers)
            {
                // Whether a lower shows something at this very name, redirects aside (the kernel's
                // ovl_lower_positive): then removing or renaming it must leave a whiteout.
                CoversLower = upper is null || (lowersFound.FirstOrDefault(e => e is not null) is { } first && !IsWhiteout(first)),
                Redirect = upperRedirect,
            };
            return result;
        }
        finally
        {
            // The second round trip's entries belong to the node, or to no one.
            var kept = result?.Entries ?? [];
            session.Release(rewalked.Where(e => !kept.Contains(e)).Select(e => e.Handle));
        }
    }

    /// <summary>
    /// One layer's answer to a lookup (the kernel's ovl_lookup_layer): the entries its walk of
    /// <see cref="NameLookup.Components"/> found, judged component by component. A missing
    /// component means the layer has nothing; a whiteout stops the search; a non-directory stops
    /// it, and is the answer only as the last component below no directory; an opaque directory
    /// stops it below; a redirect changes the name the layers below are asked for.
    /// </summary>
    private LayerEntry? LookupInLayer(IReadOnlyList<LayerEntry> walked, NameLookup lookup)
    {
        var count = lookup.Components.Count;
        for (var k = 0; k < count && k < walked.Count; k++)
        {
            var entry = walked[k];
            var lastElement = k == count - 1;
            if (IsWhiteout(entry))
            {
                lookup.Stop = true;
                return null;
            }

            if (!entry.IsDirectory)
            {
                lookup.Stop = true;
                return lookup.IsDirectory || !lastElement ? null : entry;
            }

            if (lastElement)
            {
                lookup.IsDirectory = true;
            }

            // The last layer's markers are not read: nothing lies below it to hide or redirect to.
            if (!lookup.Last && entry.Opaque)
            {
                lookup.Stop = true;
            }
            else if (!lookup.Last && entry.Redirect is { } redirect)
            {
                lookup.Redirect(redirect, k, count);
            }

            if (lastElement)
            {
                return entry;
            }
        }

        return null;
    }
    private bool IsWhiteout(LayerEntry entry) => layout.HasMarkers && entry.IsWhiteout;

    /// <summary>
    /// The merged listing of a directory: names of the upper, then of each lower down to the first
    /// opaque one, the topmost entry of a name winning, whiteouts hiding the name below them and
    /// never shown themselves. One round trip for all layers. Values are the winning entries' types
    /// and the numbers lstat would show.
    /// </summary>
    private Dictionary<string, ListedName> List(OverlayNode directory)
    {
        var sources = directory.Entries;
        var answers = session.CallMany(sources.Select(s => new SessionRequest { ReadDir = new ReadDirRequest { Handle = s.Handle, WithStat = layout.HasMarkers } }).ToList());
        var listing = new Dictionary<string, ListedName>(StringComparer.Ordinal);
        var hidden = new HashSet<string>(StringComparer.Ordinal);
        var mountDevice = cache.Root.Top.Stat.Dev;
        for (var i = 0; i < sources.Count; i++)
        {
            var fromUpper = i == 0 && directory.Upper is not null;
            foreach (var entry in GoferSession.Check(answers[i]).ReadDir.Entries)
            {
                var name = entry.Name.ToStringUtf8();
                var type = entry.Type << 12;
                if (listing.TryGetValue(name, out var listed))
                {
                    // The numbers Attributes gives: a directory in the upper with a lower
                    // directory of its name right below shows that lower's inode number, and its
                    // own when a non-directory ends the search first. (An opaque or redirected
                    // upper directory shows its own or its redirect's: the listing cannot tell,
                    // so a directory's number here is a hint; a lookup is exact.)
                    if (!listed.Settled)
                    {
                        listing[name] = type == FileStatus.Directory ? listed with { Inode = entry.Ino, Settled = true } : listed with { Settled = true };
                    }

                    continue;
                }

                if (hidden.Contains(name) || ScratchName.Is(name))
                {
                    continue;
                }

                if (layout.HasMarkers && type == FileStatus.CharDevice && entry.Stat is { Rdev: 0 })
                {
                    hidden.Add(name);
                    continue;
                }

                // Every directory shows the mount's device; a file its own layer's (see Attributes).
                listing[name] = type == FileStatus.Directory
                    ? new ListedName(type, mountDevice, entry.Ino, Settled: !fromUpper)
                    : new ListedName(type, sources[i].Stat.Dev, entry.Ino, Settled: true);
            }
        }

        return listing;
    }

    /// <summary>Forgets a path and everything below it (after it changed), releasing the gofer's handles.</summary>
    private void Forget(string path)
    {
        absent.Remove(path);
        var removed = cache.RemoveTree(path);
        session.Release(removed.SelectMany(n => n.Entries).Select(e => e.Handle));

        // Names remembered as absent below a directory that changed may exist now (a directory
        // renamed here brings its names along). A file has nothing below it.
        if (path == "/" || removed.Any(n => n.Path == path && n.IsDirectory))
        {
            var prefix = path == "/" ? "/" : path + "/";
            absent.RemoveWhere(k => k.StartsWith(prefix, StringComparison.Ordinal));
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

        var sameFile = cache.Nodes.Where(n => !n.IsDirectory && n.Top.Stat.Dev == node.Top.Stat.Dev && n.Top.Stat.Ino == node.Top.Stat.Ino).Select(n => n.Path).ToList();
        sameFile.ForEach(Forget);
    }

    /// <summary>ENOENT unless the node exists.</summary>
    private static OverlayNode Existing(OverlayNode? node, string operation, string path) =>
        node ?? throw new ErrnoException(Errno.ENOENT, operation, path);
}
