using System.Text;
using Gofer.Fuse.Nodes;
using Gofer.Fuse.Protocol;
using Gofer.Native;
using Gofer.Sentry.FileSystem;
using FileAttributes = Gofer.Sentry.FileSystem.FileAttributes;

namespace Gofer.Fuse.Operations;

/// <summary>Names: lookup, forget, making and removing names, renames, links, symlinks.</summary>
internal sealed partial class FuseServer
{
    private const uint TypeMask = 0xF000;
    private const uint RegularType = 0x8000;
    private const uint FifoType = 0x1000;
    private const uint SetGid = 0x400;

    private void Lookup(in FuseInHeader h, ref RequestReader args)
    {
        var parent = nodes.Get(h.NodeId);
        var name = args.ReadName();
        var path = parent.Child(name);
        FileAttributes attributes;
        try
        {
            attributes = fs.Lstat(path);
        }
        catch (ErrnoException e) when (e.Errno == Errno.ENOENT)
        {
            // A negative entry the kernel may cache as long as a positive one: names appear only
            // through this mount, and the kernel drops the negative entry when it makes the name.
            reply.Ok(h.Unique, new FuseEntryOut { NodeId = 0, EntryValid = CacheTimeouts.Seconds });
            return;
        }

        ReplyEntry(h.Unique, Remember(parent, name, path, attributes), attributes);
    }

    private void BatchForget(ref RequestReader args)
    {
        var count = args.Read<FuseBatchForgetIn>().Count;
        for (var i = 0; i < count; i++)
        {
            var one = args.Read<FuseForgetOne>();
            Forget(one.NodeId, one.Nlookup);
        }
    }

    /// <summary>
    /// FORGET: once the kernel holds no lookup of a node, the sentry's cache of its names goes
    /// too, releasing the gofer's handles on them. Without this a walk over a large tree would
    /// keep one handle per file and layer for the life of the mount, up to the gofer's cap.
    /// </summary>
    private void Forget(ulong id, ulong count)
    {
        if (nodes.Forget(id, count) is { IsRemoved: false } freed)
        {
            foreach (var name in freed.Names)
            {
                fs.Evict(name.Parent.Child(name.Name));
            }
        }
    }

    private void ReadLink(in FuseInHeader h) =>
        reply.Ok(h.Unique, Encoding.UTF8.GetBytes(fs.Readlink(nodes.Get(h.NodeId).Path)));

    private void Symlink(in FuseInHeader h, ref RequestReader args)
    {
        var parent = nodes.Get(h.NodeId);
        var name = args.ReadName();
        var target = args.ReadName();
        var path = parent.Child(name);
        var parentWasUpper = IsUpper(parent);
        fs.Symlink(target, path);
        Made(h, parent, name, path, parentWasUpper);
    }

    private void Mknod(in FuseInHeader h, ref RequestReader args)
    {
        var mknod = args.Read<FuseMknodIn>();
        var parent = nodes.Get(h.NodeId);
        var name = args.ReadName();
        var path = parent.Child(name);
        var parentWasUpper = IsUpper(parent);
        switch (mknod.Mode & TypeMask)
        {
            case RegularType:
                fs.Create(path, mknod.Mode & 0xFFF, exclusive: true, truncate: false);
                break;
            case FifoType:
                fs.Mkfifo(path, mknod.Mode & 0xFFF);
                break;
            default:
                // Device nodes are refused (the gofer will not make them: a container must not
                // reach the host's devices through a layer), and so are sockets, which the sentry
                // cannot make either.
                throw new ErrnoException(Errno.EPERM, "mknod", path);
        }

        Made(h, parent, name, path, parentWasUpper);
    }

    private void Mkdir(in FuseInHeader h, ref RequestReader args)
    {
        var mkdir = args.Read<FuseMkdirIn>();
        var parent = nodes.Get(h.NodeId);
        var name = args.ReadName();
        var path = parent.Child(name);
        var parentWasUpper = IsUpper(parent);
        fs.Mkdir(path, mkdir.Mode & 0xFFF);
        Made(h, parent, name, path, parentWasUpper);
    }

    /// <summary>After a name was made: give it to its maker, and answer with its entry.</summary>
    private void Made(in FuseInHeader h, FuseNode parent, string name, string path, bool parentWasUpper)
    {
        var attributes = GiveToCaller(h, parent, path);
        NoteCopyUp(parent, parentWasUpper);
        ReplyEntry(h.Unique, Remember(parent, name, path, attributes), attributes);
    }

    /// <summary>
    /// The gofer makes every file as itself (root); a file made by someone else must belong to its
    /// maker, as on any filesystem: the request's uid, and its gid unless the directory is
    /// set-group-ID (then the directory's group, as the kernel would give it). The kernel already
    /// checked that the caller may make the name (default_permissions). A set-user-ID or
    /// set-group-ID bit the maker asked for is dropped by this chown and not put back: a file
    /// made that way by a non-root user is rare, and chmod afterwards works as usual.
    /// </summary>
    private FileAttributes GiveToCaller(in FuseInHeader h, FuseNode parent, string path)
    {
        var attributes = fs.Lstat(path);

        // Already the caller's (root making a file, as most do): the directory is not asked.
        if (attributes.Uid == h.Uid && attributes.Gid == h.Gid)
        {
            return attributes;
        }

        var directory = fs.Lstat(parent.Path);
        var gid = (directory.Mode & SetGid) != 0 ? directory.Gid : h.Gid;
        if (attributes.Uid == h.Uid && attributes.Gid == gid)
        {
            return attributes;
        }

        fs.Chown(path, h.Uid, gid);
        return fs.Lstat(path);
    }

    private void Remove(in FuseInHeader h, ref RequestReader args, bool directory)
    {
        var parent = nodes.Get(h.NodeId);
        var name = args.ReadName();
        var path = parent.Child(name);
        var parentWasUpper = IsUpper(parent);
        if (directory)
        {
            fs.Rmdir(path);
        }
        else
        {
            fs.Unlink(path);
        }

        // The kernel drops the inode's link count itself (fuse_unlink) and keeps the node while
        // it is open; the node keeps any other names it has.
        nodes.Unname(parent, name);
        NoteCopyUp(parent, parentWasUpper);
        reply.Ok(h.Unique);
    }

    private void Rename2(in FuseInHeader h, ref RequestReader args)
    {
        var rename = args.Read<FuseRename2In>();
        Rename(h, ref args, rename.NewDir, rename.Flags);
    }

    private void Rename(in FuseInHeader h, ref RequestReader args, ulong newDirectory, uint flags)
    {
        var oldParent = nodes.Get(h.NodeId);
        var newParent = nodes.Get(newDirectory);
        var oldName = args.ReadName();
        var newName = args.ReadName();
        var mode = flags switch
        {
            0 => RenameMode.Replace,
            Syscalls.RENAME_NOREPLACE => RenameMode.NoReplace,
            Syscalls.RENAME_EXCHANGE => RenameMode.Exchange,
            // RENAME_WHITEOUT makes an overlay whiteout; in this view whiteouts are the overlay's
            // own business, never a user's.
            _ => throw new ErrnoException(Errno.EINVAL, "rename", $"flags {flags}"),
        };
        var oldWasUpper = IsUpper(oldParent);
        var newWasUpper = IsUpper(newParent);
        fs.Rename(oldParent.Child(oldName), newParent.Child(newName), mode);
        if (mode == RenameMode.Exchange)
        {
            nodes.Exchange(oldParent, oldName, newParent, newName);
        }
        else
        {
            nodes.Rename(oldParent, oldName, newParent, newName);
        }

        NoteCopyUp(oldParent, oldWasUpper);
        NoteCopyUp(newParent, newWasUpper);
        reply.Ok(h.Unique);
    }

    private void Link(in FuseInHeader h, ref RequestReader args)
    {
        var source = nodes.Get(args.Read<FuseLinkIn>().OldNodeId);
        var parent = nodes.Get(h.NodeId);
        var name = args.ReadName();
        var path = parent.Child(name);
        var sourceWasUpper = IsUpper(source);
        var parentWasUpper = IsUpper(parent);
        fs.Link(source.Path, path);

        // The link copied the source up: it is now the upper file both names share, so the new
        // name resolves to the source's node (one inode in the kernel, as for any hard link).
        nodes.Identify(source, fs.Lstat(source.Path), isUpper: true);
        var attributes = fs.Lstat(path);
        NoteCopyUp(source, sourceWasUpper);
        NoteCopyUp(parent, parentWasUpper);
        ReplyEntry(h.Unique, Remember(parent, name, path, attributes), attributes);
    }

    private FuseNode Remember(FuseNode parent, string name, string path, FileAttributes attributes) =>
        nodes.Remember(parent, name, attributes, attributes.Kind != FileKind.Directory && fs.IsUpper(path));

    /// <summary>Answers with a node's entry; the kernel then holds one more lookup of it (only if the answer reached it).</summary>
    private void ReplyEntry(ulong unique, FuseNode node, FileAttributes attributes)
    {
        if (reply.Ok(unique, Entry(node, attributes)))
        {
            node.Lookups++;
        }
    }

    private static FuseEntryOut Entry(FuseNode node, FileAttributes attributes) => new()
    {
        NodeId = node.Id,
        EntryValid = CacheTimeouts.Seconds,
        AttrValid = CacheTimeouts.Seconds,
        Attr = AttrEncoding.Of(attributes, node.Ino),
    };
}
