using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Gofer.Fuse.Mounting;
using Gofer.Fuse.Nodes;
using Gofer.Fuse.Protocol;
using Gofer.Native;
using Gofer.Sentry.Composition;

namespace Gofer.Fuse.Operations;

/// <summary>
/// Answers the kernel's requests from one <see cref="OverlayFileSystem"/>, one request at a time on
/// one thread: read a request, do it, write the reply. The sentry is not thread-safe, and each
/// request mostly waits on the gofer, so more threads would only queue on the same session.
/// </summary>
internal sealed partial class FuseServer : IDisposable
{
    /// <summary>The largest WRITE (and READ) the kernel sends: FUSE_MAX_PAGES pages of 4 KiB.</summary>
    public const int MaxWrite = MaxPages * 4096;

    private const int MaxPages = 256;

    /// <summary>The kernel refuses a read(2) of /dev/fuse shorter than a header, a fuse_write_in and max_write.</summary>
    private const int RequestBufferSize = MaxWrite + 4096;

    private const int EPROTO = 71;

    private readonly FuseDevice device;
    private readonly OverlayFileSystem fs;
    private readonly ReplyWriter reply;
    private readonly NodeTable nodes;
    private readonly HandleTable handles = new();
    private readonly byte[] request = new byte[RequestBufferSize];
    private readonly HashSet<FuseOpcode> reported = [];
    private readonly List<FuseNode> staleAttributes = [];
    private readonly EntryInvalidator invalidator;
    private readonly int maxNodes;
    private int sinceOverflowCheck;

    /// <param name="maxNodes">Nodes the table may hold before the kernel is asked to drop the least recently looked-up names.</param>
    public FuseServer(FuseDevice device, OverlayFileSystem fs, int maxNodes)
    {
        this.device = device;
        this.fs = fs;
        this.maxNodes = maxNodes;
        reply = new ReplyWriter(device, MaxWrite + 4096);
        invalidator = new EntryInvalidator(device);
        var root = fs.Lstat("/");
        nodes = new NodeTable(root.Device, root.Inode);
    }

    /// <summary>Serves until the connection ends.</summary>
    public void Run()
    {
        while (true)
        {
            var length = device.Read(request);

            if (length == 0)
            {
                return;
            }

            Handle(request.AsSpan(0, length));
            Announce();
            LimitNodes();
        }
    }

    /// <summary>The nodes the table holds (read from another thread: a count only).</summary>
    public int NodeCount => nodes.Count;

    public void Dispose()
    {
        invalidator.Dispose();
        handles.Dispose();
    }

    /// <summary>
    /// Keeps the node table (and the sentry's cache, which follows the kernel's FORGETs) near
    /// <see cref="maxNodes"/>: past it, the kernel is asked to drop the least recently looked-up
    /// names. Checked every 256 requests, since a scan of the table's order costs more than one.
    /// </summary>
    private void LimitNodes()
    {
        if (++sinceOverflowCheck < 256 || nodes.Count <= maxNodes)
        {
            return;
        }

        sinceOverflowCheck = 0;
        foreach (var name in nodes.Overflow(maxNodes))
        {
            invalidator.Enqueue(name.Parent.Id, name.Name);
        }
    }

    private void Handle(ReadOnlySpan<byte> bytes)
    {
        var headerSize = Unsafe.SizeOf<FuseInHeader>();
        if (bytes.Length < headerSize)
        {
            return;
        }

        var header = MemoryMarshal.Read<FuseInHeader>(bytes);
        var args = new RequestReader(bytes[headerSize..(int)Math.Clamp(header.Length, (uint)headerSize, (uint)bytes.Length)]);
        try
        {
            Dispatch(header, ref args);
        }
        catch (ErrnoException e)
        {
            Fail(header, e.Errno);
        }
#pragma warning disable CA1031 // One bad request must never end the loop (and with it the mount): it fails alone, with EIO.
        catch (Exception e)
#pragma warning restore CA1031
        {
            if (reported.Add(header.Opcode))
            {
                Console.Error.WriteLine($"gofer fuse: {header.Opcode} failed unexpectedly (answered EIO; later failures of this request type are not logged): {e}");
            }

            Fail(header, Errno.EIO);
        }
    }

    private void Fail(in FuseInHeader header, int errno)
    {
        if (!IsOneWay(header.Opcode))
        {
            reply.Error(header.Unique, errno);
        }
    }

    /// <summary>Requests the kernel expects no answer to.</summary>
    private static bool IsOneWay(FuseOpcode opcode) =>
        opcode is FuseOpcode.Forget or FuseOpcode.BatchForget or FuseOpcode.Interrupt or FuseOpcode.NotifyReply;

    private void Dispatch(in FuseInHeader h, ref RequestReader args)
    {
        switch (h.Opcode)
        {
            case FuseOpcode.Init: Init(h, ref args); break;
            case FuseOpcode.Destroy: reply.Ok(h.Unique); break;
            case FuseOpcode.Lookup: Lookup(h, ref args); break;
            case FuseOpcode.Forget: Forget(h.NodeId, args.Read<FuseForgetIn>().Nlookup); break;
            case FuseOpcode.BatchForget: BatchForget(ref args); break;
            case FuseOpcode.GetAttr: GetAttr(h, ref args); break;
            case FuseOpcode.SetAttr: SetAttr(h, ref args); break;
            case FuseOpcode.ReadLink: ReadLink(h); break;
            case FuseOpcode.Symlink: Symlink(h, ref args); break;
            case FuseOpcode.Mknod: Mknod(h, ref args); break;
            case FuseOpcode.Mkdir: Mkdir(h, ref args); break;
            case FuseOpcode.Unlink: Remove(h, ref args, directory: false); break;
            case FuseOpcode.Rmdir: Remove(h, ref args, directory: true); break;
            case FuseOpcode.Rename: Rename(h, ref args, args.Read<FuseRenameIn>().NewDir, 0); break;
            case FuseOpcode.Rename2: Rename2(h, ref args); break;
            case FuseOpcode.Link: Link(h, ref args); break;
            case FuseOpcode.Open: Open(h, ref args); break;
            case FuseOpcode.Create: Create(h, ref args); break;
            case FuseOpcode.Read: Read(h, ref args); break;
            case FuseOpcode.Write: Write(h, ref args); break;
            case FuseOpcode.Flush: reply.Ok(h.Unique); break;
            case FuseOpcode.Release: handles.RemoveFile(args.Read<FuseReleaseIn>().Fh); reply.Ok(h.Unique); break;
            case FuseOpcode.Fsync: Fsync(h, ref args); break;
            case FuseOpcode.OpenDir: OpenDir(h); break;
            case FuseOpcode.ReadDir: ReadDir(h, ref args); break;
            case FuseOpcode.ReleaseDir: handles.RemoveDirectory(args.Read<FuseReleaseIn>().Fh); reply.Ok(h.Unique); break;
            // Directory changes are made durable by the gofer's own operations; there is nothing to flush here.
            case FuseOpcode.FsyncDir: reply.Ok(h.Unique); break;
            case FuseOpcode.StatFs: StatFs(h); break;
            case FuseOpcode.SetXattr: SetXattr(h, ref args); break;
            case FuseOpcode.GetXattr: GetXattr(h, ref args); break;
            case FuseOpcode.ListXattr: ListXattr(h, ref args); break;
            case FuseOpcode.RemoveXattr: RemoveXattr(h, ref args); break;
            // Interrupts are not honoured: each request is one short exchange with the gofer, done before the next is read.
            case FuseOpcode.Interrupt: break;
            case FuseOpcode.NotifyReply: break;
            // ACCESS answers ENOSYS so the kernel stops asking: default_permissions already checks
            // every access against the attributes we report.
            default: reply.Error(h.Unique, Errno.ENOSYS); break;
        }
    }

    private void Init(in FuseInHeader h, ref RequestReader args)
    {
        var init = args.ReadPrefix<FuseInitIn>();
        if (init.Major > ProtocolVersion.Major)
        {
            // A newer major: answer with ours and the kernel sends INIT again in our version.
            reply.Ok(h.Unique, new FuseInitOut { Major = ProtocolVersion.Major, Minor = ProtocolVersion.NewestMinor });
            return;
        }

        if (init.Major < ProtocolVersion.Major || init.Minor < ProtocolVersion.OldestMinor)
        {
            Console.Error.WriteLine($"gofer fuse: the kernel speaks FUSE {init.Major}.{init.Minor}; at least {ProtocolVersion.Major}.{ProtocolVersion.OldestMinor} is needed");
            reply.Error(h.Unique, EPROTO);
            return;
        }

        // Wanted when the kernel offers them: big writes and 1 MiB requests (fewer round trips to
        // the gofer), O_TRUNC inside OPEN (one request, not OPEN then SETATTR), lookups in one
        // directory without the directory's lock (the loop is serial anyway; it spares the kernel),
        // symlink targets in the page cache (a symlink never changes: a new target is a new inode).
        // Not wanted: AUTO_INVAL_DATA (we are the only writer, so cached pages never go stale),
        // WRITEBACK_CACHE (writes would reach the gofer late, and mtime would be the kernel's),
        // DONT_MASK (the kernel applies the umask), READDIRPLUS (see OpenDir), POSIX locks (the
        // kernel keeps them locally).
        const uint wanted = FuseInitFlags.FUSE_BIG_WRITES | FuseInitFlags.FUSE_MAX_PAGES | FuseInitFlags.FUSE_ATOMIC_O_TRUNC
            | FuseInitFlags.FUSE_PARALLEL_DIROPS | FuseInitFlags.FUSE_CACHE_SYMLINKS;
        reply.Ok(h.Unique, new FuseInitOut
        {
            Major = ProtocolVersion.Major,
            Minor = Math.Min(init.Minor, ProtocolVersion.NewestMinor),
            MaxReadahead = init.MaxReadahead,
            Flags = init.Flags & wanted,
            MaxWrite = MaxWrite,
            TimeGranularity = 1,
            MaxPages = MaxPages,
        });
    }

    /// <summary>
    /// Queues a note that the kernel's cached attributes of <paramref name="node"/> and its
    /// ancestors may be stale, when an operation just copied the node up (<paramref name="wasUpper"/>
    /// false, upper now): the directories along its path were copied up with it, which changes
    /// what they report (a lower-only directory becomes a merged one, whose link count is 1).
    /// </summary>
    private void NoteCopyUp(FuseNode node, bool wasUpper)
    {
        if (wasUpper || node.IsRemoved || !fs.IsUpper(node.Path))
        {
            return;
        }

        for (var n = node; n is not null; n = n.Names.Count > 0 ? n.Names[0].Parent : null)
        {
            staleAttributes.Add(n);
        }
    }

    private bool IsUpper(FuseNode node) => !node.IsRemoved && fs.IsUpper(node.Path);

    /// <summary>
    /// Sends the queued FUSE_NOTIFY_INVAL_INODE notes, after the reply: the kernel may hold locks
    /// until the request is answered. Only attributes are dropped (offset -1): that takes no lock
    /// a pending request could hold, so it cannot deadlock this single-threaded loop.
    /// </summary>
    private void Announce()
    {
        foreach (var node in staleAttributes.Distinct())
        {
            reply.Notify(NotifyCode.InvalInode, new FuseNotifyInvalInodeOut { Ino = node.Id, Offset = -1, Length = 0 });
        }

        staleAttributes.Clear();
    }
}
