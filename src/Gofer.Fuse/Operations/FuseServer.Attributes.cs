using Gofer.Fuse.Nodes;
using Gofer.Fuse.Protocol;
using Gofer.Native;
using Gofer.Sentry.FileSystem;
using FileAttributes = Gofer.Sentry.FileSystem.FileAttributes;

namespace Gofer.Fuse.Operations;

/// <summary>Attributes: getattr, setattr, statfs.</summary>
internal sealed partial class FuseServer
{
    private const uint FUSE_GETATTR_FH = 1;

    private void GetAttr(in FuseInHeader h, ref RequestReader args)
    {
        var getattr = args.Read<FuseGetAttrIn>();
        var node = nodes.Get(h.NodeId);
        var file = (getattr.Flags & FUSE_GETATTR_FH) != 0 && handles.TryFile(getattr.Fh, out var handle) ? handle : null;
        ReplyAttributes(h.Unique, node, AttributesOf(node, file));
    }

    /// <summary>
    /// A node's attributes: by its path while it has one; through an open file once every name is
    /// gone (fstat of an unlinked file). The path is preferred even when the kernel names an open
    /// file: a read-only open of a lower file would still show the lower file after a copy-up.
    /// </summary>
    private FileAttributes AttributesOf(FuseNode node, FileHandle? file)
    {
        if (!node.IsRemoved)
        {
            return fs.Lstat(node.Path);
        }

        var open = file?.File ?? node.OpenFiles.FirstOrDefault() ?? throw new ErrnoException(Errno.ENOENT, "getattr", $"#{node.Id} (removed)");
        return open.Stat();
    }

    private void ReplyAttributes(ulong unique, FuseNode node, FileAttributes attributes) =>
        reply.Ok(unique, new FuseAttrOut { AttrValid = CacheTimeouts.Seconds, Attr = AttrEncoding.Of(attributes, node.Ino) });

    private void SetAttr(in FuseInHeader h, ref RequestReader args)
    {
        var set = args.Read<FuseSetAttrIn>();
        var node = nodes.Get(h.NodeId);
        var valid = set.Valid;
        var file = (valid & SetAttrValid.FATTR_FH) != 0 ? handles.File(set.Fh) : null;
        var wasUpper = IsUpper(node);

        if ((valid & SetAttrValid.FATTR_SIZE) != 0)
        {
            // ftruncate goes through the open file: it works whether or not the file still has a name.
            if (file is not null)
            {
                file.File.Truncate((long)set.Size);
            }
            else
            {
                fs.Truncate(node.Path, (long)set.Size);
            }
        }

        if ((valid & SetAttrValid.FATTR_MODE) != 0)
        {
            fs.Chmod(node.Path, set.Mode & 0xFFF);
        }

        if ((valid & (SetAttrValid.FATTR_UID | SetAttrValid.FATTR_GID)) != 0)
        {
            // The kernel already checked who may change the owner (default_permissions).
            var current = fs.Lstat(node.Path);
            fs.Chown(node.Path, (valid & SetAttrValid.FATTR_UID) != 0 ? set.Uid : current.Uid, (valid & SetAttrValid.FATTR_GID) != 0 ? set.Gid : current.Gid);
        }

        if ((valid & (SetAttrValid.FATTR_ATIME | SetAttrValid.FATTR_MTIME)) != 0)
        {
            var current = fs.Lstat(node.Path);
            var now = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
            var atime = (valid & SetAttrValid.FATTR_ATIME) == 0 ? current.AccessTimeNs
                : (valid & SetAttrValid.FATTR_ATIME_NOW) != 0 ? now : ((long)set.Atime * 1_000_000_000) + set.AtimeNsec;
            var mtime = (valid & SetAttrValid.FATTR_MTIME) == 0 ? current.ModifyTimeNs
                : (valid & SetAttrValid.FATTR_MTIME_NOW) != 0 ? now : ((long)set.Mtime * 1_000_000_000) + set.MtimeNsec;
            fs.Utimes(node.Path, atime, mtime);
        }

        NoteCopyUp(node, wasUpper);
        ReplyAttributes(h.Unique, node, AttributesOf(node, file));
    }

    private void StatFs(in FuseInHeader h)
    {
        var node = nodes.Get(h.NodeId);
        var statfs = fs.StatFs(node.IsRemoved ? "/" : node.Path);
        reply.Ok(h.Unique, new FuseStatFsOut
        {
            Blocks = statfs.Blocks,
            BlocksFree = statfs.BlocksFree,
            BlocksAvailable = statfs.BlocksAvailable,
            Files = statfs.Files,
            FilesFree = statfs.FilesFree,
            BlockSize = (uint)statfs.BlockSize,
            NameLength = (uint)statfs.NameMax,
            FragmentSize = (uint)statfs.FragmentSize,
        });
    }
}
