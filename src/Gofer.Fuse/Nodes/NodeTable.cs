using Gofer.Native;
using Gofer.Sentry.FileSystem;
using FileAttributes = Gofer.Sentry.FileSystem.FileAttributes;

namespace Gofer.Fuse.Nodes;

/// <summary>
/// The nodes the kernel holds: by node id, by (directory, name), and by upper file for hard links.
/// Node ids are never reused (generation stays 0), so a stale id can never reach another file.
/// </summary>
internal sealed class NodeTable
{
    /// <summary>ESTALE: a node id the table does not hold (a kernel bug, or a request racing a FORGET).</summary>
    private const int ESTALE = 116;

    private readonly Dictionary<ulong, FuseNode> byId = [];
    private readonly Dictionary<(ulong Parent, string Name), FuseNode> byName = [];
    private readonly Dictionary<(ulong Device, ulong Inode), FuseNode> byUpperFile = [];
    private readonly LinkedList<FuseNode> recency = new();
    private ulong nextId = FuseNode.RootId + 1;

    public NodeTable(ulong rootDevice, ulong rootInode)
    {
        Root = new FuseNode(FuseNode.RootId, Inodes.Of(rootDevice, rootInode), isDirectory: true) { Lookups = 1 };
        byId[Root.Id] = Root;
    }

    public FuseNode Root { get; }

    public InodeNumbers Inodes { get; } = new();

    public int Count => byId.Count;

    public FuseNode Get(ulong id) =>
        byId.TryGetValue(id, out var node) ? node : throw new ErrnoException(ESTALE, "fuse node", $"#{id}");

    public FuseNode? Find(FuseNode parent, string name) => byName.GetValueOrDefault((parent.Id, name));

    /// <summary>
    /// The node of <paramref name="name"/> in <paramref name="parent"/> with attributes
    /// <paramref name="attributes"/>: the one the kernel already holds by that name, else the one it
    /// holds by another name of the same upper file (a hard link: one inode, so writes through one
    /// name are seen through the other), else a new one. Lower files are keyed by name only: overlayfs
    /// (without index) breaks a lower hard link apart on copy-up.
    /// </summary>
    public FuseNode Remember(FuseNode parent, string name, FileAttributes attributes, bool isUpper)
    {
        var isDirectory = attributes.Kind == FileKind.Directory;
        var node = Find(parent, name);
        if (node is not null && node.IsDirectory != isDirectory)
        {
            // Cannot happen while this process is the only writer; if it does, the old node loses the name.
            Unname(parent, name);
            node = null;
        }

        if (node is null && !isDirectory && isUpper && byUpperFile.TryGetValue((attributes.Device, attributes.Inode), out var link))
        {
            node = link;
            AddName(node, parent, name);
        }

        if (node is null)
        {
            node = new FuseNode(nextId++, Inodes.Of(attributes.Device, attributes.Inode), isDirectory);
            byId[node.Id] = node;
            AddName(node, parent, name);
        }

        Identify(node, attributes, isUpper);
        Touch(node);
        return node;
    }

    /// <summary>
    /// When the table holds more than <paramref name="maxNodes"/> nodes, the names of the least
    /// recently looked-up ones (not the root, not open files, not already asked for) for the
    /// kernel to drop, enough to bring the table to seven eighths of the cap once it forgets
    /// them. The kernel keeps a name as long as it likes, and this table a node for as long as
    /// the kernel does: without asking, the table (and the sentry's work behind it) grows with
    /// every name ever visited, as long as the kernel's memory lasts.
    /// </summary>
    public List<NodeName> Overflow(int maxNodes)
    {
        var names = new List<NodeName>();
        var excess = byId.Count - (maxNodes - (maxNodes / 8));
        for (var use = recency.First; use is not null && excess > 0 && byId.Count > maxNodes; use = use.Next)
        {
            var node = use.Value;
            if (!node.Invalidated && node.OpenFiles.Count == 0 && node.Names.Count > 0)
            {
                node.Invalidated = true;
                names.AddRange(node.Names);
                excess--;
            }
        }

        return names;
    }

    private void Touch(FuseNode node)
    {
        node.Invalidated = false;
        if (node.Id == FuseNode.RootId)
        {
            return;
        }

        if (node.Use is { } use)
        {
            recency.Remove(use);
            recency.AddLast(use);
        }
        else
        {
            node.Use = recency.AddLast(node);
        }
    }

    /// <summary>Records which upper file a non-directory node now is (after a lookup or a copy-up).</summary>
    public void Identify(FuseNode node, FileAttributes attributes, bool isUpper)
    {
        if (node.IsDirectory || !isUpper)
        {
            return;
        }

        var key = (attributes.Device, attributes.Inode);
        if (node.UpperFile is { } old && old != key && byUpperFile.GetValueOrDefault(old) == node)
        {
            byUpperFile.Remove(old);
        }

        node.UpperFile = key;
        byUpperFile.TryAdd(key, node);
    }

    /// <summary>A new name for a node (LINK).</summary>
    public void AddName(FuseNode node, FuseNode parent, string name)
    {
        if (!node.Names.Contains(new NodeName(parent, name)))
        {
            node.Names.Add(new NodeName(parent, name));
        }

        byName[(parent.Id, name)] = node;
    }

    /// <summary>A name is gone (unlink, rmdir, replaced by a rename); the node is removed once it has none.</summary>
    public void Unname(FuseNode parent, string name)
    {
        if (byName.Remove((parent.Id, name), out var node))
        {
            node.Names.Remove(new NodeName(parent, name));
        }
    }

    /// <summary>rename(2): the source takes the new name, whatever was there loses it.</summary>
    public void Rename(FuseNode oldParent, string oldName, FuseNode newParent, string newName)
    {
        var source = Find(oldParent, oldName);
        Unname(newParent, newName);
        Unname(oldParent, oldName);
        if (source is not null)
        {
            AddName(source, newParent, newName);
        }
    }

    /// <summary>RENAME_EXCHANGE: the two names swap their nodes.</summary>
    public void Exchange(FuseNode oldParent, string oldName, FuseNode newParent, string newName)
    {
        var first = Find(oldParent, oldName);
        var second = Find(newParent, newName);
        Unname(oldParent, oldName);
        Unname(newParent, newName);
        if (first is not null)
        {
            AddName(first, newParent, newName);
        }

        if (second is not null)
        {
            AddName(second, oldParent, oldName);
        }
    }

    /// <summary>FORGET: the kernel dropped <paramref name="count"/> lookups; at 0 the node is freed and returned.</summary>
    public FuseNode? Forget(ulong id, ulong count)
    {
        if (id == FuseNode.RootId || !byId.TryGetValue(id, out var node))
        {
            return null;
        }

        node.Lookups -= (long)Math.Min(count, long.MaxValue);
        if (node.Lookups > 0)
        {
            return null;
        }

        byId.Remove(id);
        if (node.Use is { } use)
        {
            recency.Remove(use);
            node.Use = null;
        }

        foreach (var name in node.Names)
        {
            if (byName.GetValueOrDefault((name.Parent.Id, name.Name)) == node)
            {
                byName.Remove((name.Parent.Id, name.Name));
            }
        }

        if (node.UpperFile is { } key && byUpperFile.GetValueOrDefault(key) == node)
        {
            byUpperFile.Remove(key);
        }

        return node;
    }
}
