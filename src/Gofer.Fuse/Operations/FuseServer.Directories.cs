using Gofer.Fuse.Nodes;
using Gofer.Fuse.Protocol;
using Gofer.Native;
using Gofer.Sentry.FileSystem;

namespace Gofer.Fuse.Operations;

/// <summary>
/// Directories: opendir, readdir. READDIRPLUS is not offered: it would save the kernel's LOOKUP
/// per entry, but each entry still costs the sentry a lookup (the gofer's listing has types, not
/// attributes), and plain `ls` or a shell glob would pay for attributes it never asked for.
/// </summary>
internal sealed partial class FuseServer
{
    private const uint DirectoryType = 4;

    private void OpenDir(in FuseInHeader h)
    {
        var node = nodes.Get(h.NodeId);
        // A directory removed since it was opened lists as empty, as on any Linux filesystem.
        var fh = handles.AddDirectory(node, () => node.IsRemoved ? [] : fs.ReadDir(node.Path));

        // The kernel may keep the listing and serve the next opendir from it: every change to
        // the directory's names comes through this mount, and the kernel drops its copy itself
        // when it makes, removes or renames a name there (the directory's version changes).
        // A file's d_ino there stays what it was when listed, as overlayfs's own may after a
        // copy-up; stat shows the live number.
        var flags = OpenReplyFlags.FOPEN_CACHE_DIR | OpenReplyFlags.FOPEN_KEEP_CACHE;
        if (!reply.Ok(h.Unique, new FuseOpenOut { Fh = fh, OpenFlags = flags }))
        {
            handles.RemoveDirectory(fh);
        }
    }

    private void ReadDir(in FuseInHeader h, ref RequestReader args)
    {
        var read = args.Read<FuseReadIn>();
        var directory = handles.Directory(read.Fh);
        var buffer = reply.Payload[..(int)Math.Min(read.Size, (uint)MaxWrite)];
        var length = 0;
        for (var index = (long)Math.Min(read.Offset, int.MaxValue); index < directory.Entries.Count + 2; index++)
        {
            var (name, ino, type) = index switch
            {
                0 => (".", directory.Node.Ino, DirectoryType),
                1 => ("..", ParentOf(directory.Node).Ino, DirectoryType),
                _ => Describe(directory, (int)index - 2),
            };
            if (ino == 0)
            {
                continue;
            }

            if (!DirentEncoder.TryAppend(buffer, ref length, ino, (ulong)index + 1, type, name))
            {
                break;
            }
        }

        reply.Send(h.Unique, length);
    }

    private FuseNode ParentOf(FuseNode node) => node.Names.Count > 0 ? node.Names[0].Parent : nodes.Root;

    /// <summary>
    /// An entry's name, d_ino and d_type. d_ino is the number stat would show (`find -inum`, `ls -i`
    /// and `du` compare them): the node's when the kernel knows it, else for a file the one the
    /// sentry's listing gives, else looked up once. 0 for a name gone since OPENDIR (skipped).
    /// </summary>
    private (string Name, ulong Ino, uint Type) Describe(DirectoryHandle directory, int index)
    {
        var entry = directory.Entries[index];
        var type = AttrEncoding.DirentType(entry.Kind);
        if (nodes.Find(directory.Node, entry.Name) is { } node)
        {
            return (entry.Name, node.Ino, type);
        }

        // A file's number in the listing is exact; a directory's may not be (an opaque or
        // renamed directory in the upper), so a directory the kernel does not know is looked up.
        if (entry.Inode != 0 && entry.Kind != FileKind.Directory)
        {
            return (entry.Name, nodes.Inodes.Of(entry.Device, entry.Inode), type);
        }

        if (directory.Inodes.TryGetValue(entry.Name, out var known))
        {
            return (entry.Name, known, type);
        }

        ulong ino;
        try
        {
            var attributes = fs.Lstat(directory.Node.Child(entry.Name));
            ino = nodes.Inodes.Of(attributes.Device, attributes.Inode);
        }
        catch (ErrnoException)
        {
            ino = 0;
        }

        directory.Inodes[entry.Name] = ino;
        return (entry.Name, ino, type);
    }
}
