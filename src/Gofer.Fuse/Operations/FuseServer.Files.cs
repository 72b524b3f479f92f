using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Gofer.Fuse.Nodes;
using Gofer.Fuse.Protocol;
using Gofer.Native;

namespace Gofer.Fuse.Operations;

/// <summary>Open files: open, create, read, write, fsync (flush and release are in the dispatch).</summary>
internal sealed partial class FuseServer
{
    /// <summary>The open(2) flags the sentry acts on; the kernel handles the rest (O_CLOEXEC, O_NOFOLLOW, O_LARGEFILE, …) itself.</summary>
    private const int SentryOpenFlags = Syscalls.O_ACCMODE | Syscalls.O_TRUNC | Syscalls.O_APPEND;

    private const uint FUSE_FSYNC_FDATASYNC = 1;

    private void Open(in FuseInHeader h, ref RequestReader args)
    {
        var open = args.Read<FuseOpenIn>();
        var node = nodes.Get(h.NodeId);
        var wasUpper = IsUpper(node);
        var file = fs.Open(node.Path, (int)open.Flags & SentryOpenFlags, 0);
        var isUpper = IsUpper(node);
        var fh = handles.AddFile(node, file, isUpper);
        if (isUpper && node.UpperFile is null)
        {
            // First time this node is an upper file (just copied up): hard links to it must find it.
            nodes.Identify(node, file.Stat(), isUpper: true);
        }

        NoteCopyUp(node, wasUpper);

        // FOPEN_KEEP_CACHE: the kernel may keep this file's cached pages across opens. Every
        // change to the file's data comes through this mount (we are the upper's only writer, and
        // one upper file is one node), so the cache is never stale; a copy-up moves the same bytes.
        if (!reply.Ok(h.Unique, new FuseOpenOut { Fh = fh, OpenFlags = OpenReplyFlags.FOPEN_KEEP_CACHE }))
        {
            handles.RemoveFile(fh);
        }
    }

    private void Create(in FuseInHeader h, ref RequestReader args)
    {
        var create = args.Read<FuseCreateIn>();
        var parent = nodes.Get(h.NodeId);
        var name = args.ReadName();
        var path = parent.Child(name);
        var parentWasUpper = IsUpper(parent);
        var flags = ((int)create.Flags & (SentryOpenFlags | Syscalls.O_EXCL)) | Syscalls.O_CREAT;
        var file = fs.Open(path, flags, create.Mode & 0xFFF);
        FuseNode node;
        FuseEntryOut entry;
        try
        {
            var attributes = GiveToCaller(h, parent, path);
            node = Remember(parent, name, path, attributes);
            entry = Entry(node, attributes);
        }
        catch
        {
            file.Dispose();
            throw;
        }

        var fh = handles.AddFile(node, file, onUpper: true);
        NoteCopyUp(parent, parentWasUpper);
        var payload = reply.Payload;
        MemoryMarshal.Write(payload, in entry);
        var opened = new FuseOpenOut { Fh = fh, OpenFlags = OpenReplyFlags.FOPEN_KEEP_CACHE };
        MemoryMarshal.Write(payload[Unsafe.SizeOf<FuseEntryOut>()..], in opened);
        if (reply.Send(h.Unique, Unsafe.SizeOf<FuseEntryOut>() + Unsafe.SizeOf<FuseOpenOut>()))
        {
            node.Lookups++;
        }
        else
        {
            handles.RemoveFile(fh);
        }
    }

    private void Read(in FuseInHeader h, ref RequestReader args)
    {
        var read = args.Read<FuseReadIn>();
        var handle = FollowCopyUp(handles.File(read.Fh));
        var destination = reply.Payload[..(int)Math.Min(read.Size, (uint)MaxWrite)];

        // The kernel takes a short read for the end of the file (it zero-fills the rest of the
        // page), so keep reading until the request is full or the file ends.
        var total = 0;
        while (total < destination.Length)
        {
            var chunk = handle.File.Read((long)read.Offset + total, destination.Length - total);
            if (chunk.Length == 0)
            {
                break;
            }

            chunk.CopyTo(destination[total..]);
            total += chunk.Length;
        }

        reply.Send(h.Unique, total);
    }

    /// <summary>
    /// A read-only open of a lower file, reopened in the upper layer once the file was copied up
    /// (by a write through another open), so reads see what was written since.
    /// </summary>
    private FileHandle FollowCopyUp(FileHandle handle)
    {
        if (handle.OnUpper || !IsUpper(handle.Node))
        {
            return handle;
        }

        var reopened = fs.Open(handle.Node.Path, Syscalls.O_RDONLY, 0);
        handle.Node.OpenFiles.Remove(handle.File);
        handle.File.Dispose();
        handle.File = reopened;
        handle.Node.OpenFiles.Add(reopened);
        handle.OnUpper = true;
        return handle;
    }

    private void Write(in FuseInHeader h, ref RequestReader args)
    {
        var write = args.Read<FuseWriteIn>();
        var data = args.ReadBytes((int)write.Size);
        var written = handles.File(write.Fh).File.Write((long)write.Offset, data);
        reply.Ok(h.Unique, new FuseWriteOut { Size = (uint)written });
    }

    private void Fsync(in FuseInHeader h, ref RequestReader args)
    {
        var fsync = args.Read<FuseFsyncIn>();
        handles.File(fsync.Fh).File.Fsync(dataOnly: (fsync.FsyncFlags & FUSE_FSYNC_FDATASYNC) != 0);
        reply.Ok(h.Unique);
    }
}
