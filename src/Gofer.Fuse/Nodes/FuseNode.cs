using Gofer.Native;
using Gofer.Sentry.Composition;

namespace Gofer.Fuse.Nodes;

/// <summary>
/// An inode as the kernel knows it: its node id, the names it is known by (a path is rebuilt from
/// them, so a rename only has to move a name), how many lookups the kernel holds, and its files
/// open through this front.
/// </summary>
internal sealed class FuseNode(ulong id, ulong ino, bool isDirectory)
{
    public const ulong RootId = 1;

    public ulong Id { get; } = id;

    /// <summary>
    /// st_ino as reported, fixed for the node's life: a copy-up moves the file to another layer
    /// (another number), but to its users it is the same file, as with overlayfs on one filesystem.
    /// </summary>
    public ulong Ino { get; } = ino;

    public bool IsDirectory { get; } = isDirectory;

    /// <summary>LOOKUP-type replies minus FORGETs; the node is freed at 0 (never the root).</summary>
    public long Lookups { get; set; }

    /// <summary>Every name the kernel looked this node up by and that still exists, oldest first.</summary>
    public List<NodeName> Names { get; } = [];

    /// <summary>The upper layer's (st_dev, st_ino) of this non-directory, which hard links share; null while it is a lower file.</summary>
    public (ulong Device, ulong Inode)? UpperFile { get; set; }

    /// <summary>Files open on this node, for fstat-like requests once it has no name left.</summary>
    public List<OpenFile> OpenFiles { get; } = [];

    /// <summary>Every known name is gone (unlinked, removed, replaced): only open files reach it.</summary>
    /// <summary>Its place in the table's order of last lookup (none for the root).</summary>
    public LinkedListNode<FuseNode>? Use { get; set; }

    /// <summary>The kernel was asked to drop its names (the table was over its cap) and has not looked it up since.</summary>
    public bool Invalidated { get; set; }

    public bool IsRemoved => Id != RootId && Names.Count == 0;

    /// <summary>The node's path in the view, through its oldest remaining name; ENOENT once removed.</summary>
    public string Path
    {
        get
        {
            if (Id == RootId)
            {
                return "/";
            }

            if (Names.Count == 0)
            {
                throw new ErrnoException(Errno.ENOENT, "fuse node", $"#{Id} (removed)");
            }

            var name = Names[0];
            var parent = name.Parent.Path;
            return parent == "/" ? "/" + name.Name : parent + "/" + name.Name;
        }
    }

    /// <summary>The path of a name in this directory.</summary>
    public string Child(string name)
    {
        var path = Path;
        return path == "/" ? "/" + name : path + "/" + name;
    }
}
