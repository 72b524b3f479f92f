namespace Gofer.Sentry.Composition;

/// <summary>
/// The view's cache of looked-up names, by canonical path, in order of last use. Every cached
/// node holds the gofer's handles on its layers' entries, and each handle is a descriptor in the
/// gofer, whose budget is finite (<c>ListMountsResponse.handle_limit</c>): so the cache counts the
/// handles its nodes hold and gives up the least recently used names when asked
/// (<see cref="Trim"/>). A name given up is looked up again when next used; nothing else changes.
/// </summary>
/// <remarks>
/// Invariant: a name is cached only below a cached directory (lookups go through the parent), so
/// a directory leaves the cache with everything cached below it. Each directory knows its cached
/// children, which makes that removal cost the subtree, not the whole cache.
/// </remarks>
internal sealed class NodeCache
{
    private readonly Dictionary<string, Slot> slots = new(StringComparer.Ordinal);
    private readonly LinkedList<string> recency = new();

    public NodeCache(OverlayNode root)
    {
        Root = root;
        slots["/"] = new Slot(root, null, root.Entries.Count);
        Handles = root.Entries.Count;
    }

    /// <summary>The view's root: always cached, never given up.</summary>
    public OverlayNode Root { get; }

    /// <summary>Names cached, the root included.</summary>
    public int Count => slots.Count;

    /// <summary>The gofer's handles the cached nodes hold (as counted when each was cached).</summary>
    public int Handles { get; private set; }

    /// <summary>Every cached node (for the rare scan by identity, such as a hard link's other names).</summary>
    public IEnumerable<OverlayNode> Nodes => slots.Values.Select(s => s.Node);

    /// <summary>The node cached at <paramref name="path"/>, marking it used.</summary>
    public bool TryGet(string path, out OverlayNode node)
    {
        if (slots.TryGetValue(path, out var slot))
        {
            Touch(slot);
            node = slot.Node;
            return true;
        }

        node = null!;
        return false;
    }

    public bool Contains(string path) => slots.ContainsKey(path);

    /// <summary>The node of a path known to be cached (the root, or the parent of a cached name).</summary>
    public OverlayNode this[string path] => slots[path].Node;

    /// <summary>Caches <paramref name="node"/> at its path (whose parent must be cached), replacing what was there.</summary>
    public void Add(OverlayNode node)
    {
        var path = node.Path;
        if (slots.Remove(path, out var old))
        {
            recency.Remove(old.Use!);
            Handles -= old.Weight;
        }

        var slot = new Slot(node, recency.AddLast(path), node.Entries.Count) { Children = old?.Children };
        slots[path] = slot;
        Handles += slot.Weight;
        var parent = slots[node.ParentPath];
        (parent.Children ??= new HashSet<string>(StringComparer.Ordinal)).Add(path);
    }

    /// <summary>Counts a cached node's handles again after it gained one (a copy-up gives it an upper entry).</summary>
    public void Reweigh(OverlayNode node)
    {
        if (slots.TryGetValue(node.Path, out var slot) && ReferenceEquals(slot.Node, node))
        {
            Handles += node.Entries.Count - slot.Weight;
            slot.Weight = node.Entries.Count;
        }
    }

    /// <summary>Removes <paramref name="path"/> and every name cached below it; returns the nodes removed.</summary>
    public List<OverlayNode> RemoveTree(string path)
    {
        var removed = new List<OverlayNode>();
        if (path == "/")
        {
            foreach (var child in slots["/"].Children?.ToList() ?? [])
            {
                RemoveTree(child, removed);
            }
        }
        else if (slots.ContainsKey(path))
        {
            RemoveTree(path, removed);
        }

        return removed;
    }

    /// <summary>
    /// Gives up the least recently used names, each with everything cached below it, until the
    /// nodes hold at most <paramref name="handles"/> handles; the root stays. Returns the nodes
    /// removed, whose handles the caller releases. Only between operations: a node an operation
    /// is still using must not lose its handles under it.
    /// </summary>
    public List<OverlayNode> Trim(int handles)
    {
        var removed = new List<OverlayNode>();
        while (Handles > handles && recency.First is { } oldest)
        {
            RemoveTree(oldest.Value, removed);
        }

        return removed;
    }

    private void RemoveTree(string path, List<OverlayNode> removed)
    {
        var slot = slots[path];
        foreach (var child in slot.Children?.ToList() ?? [])
        {
            RemoveTree(child, removed);
        }

        slots.Remove(path);
        recency.Remove(slot.Use!);
        Handles -= slot.Weight;
        slots[slot.Node.ParentPath].Children!.Remove(path);
        removed.Add(slot.Node);
    }

    private void Touch(Slot slot)
    {
        if (slot.Use is { } use && use != recency.Last)
        {
            recency.Remove(use);
            recency.AddLast(use);
        }
    }

    /// <summary>A cached node, its place in the order of use (none for the root), the handles it holds, and its cached children's paths.</summary>
    private sealed class Slot(OverlayNode node, LinkedListNode<string>? use, int weight)
    {
        public OverlayNode Node { get; } = node;

        public LinkedListNode<string>? Use { get; } = use;

        public int Weight { get; set; } = weight;

        public HashSet<string>? Children { get; set; }
    }
}
