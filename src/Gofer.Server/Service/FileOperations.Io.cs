using Gofer.Native;
using Gofer.Protocol.V1;
using Google.Protobuf;

namespace Gofer.Server.Service;

public sealed partial class FileOperations
{
    /// <summary>
    /// The open(2) flags a client may pass. O_CREAT is Create's; O_NOFOLLOW and O_CLOEXEC are
    /// always in force; O_PATH, O_TMPFILE, O_NOCTTY, FASYNC and the rest are refused rather than
    /// ignored, so a client never believes it got a behaviour it did not.
    /// </summary>
    private const int OpenFlagsAllowed = Syscalls.O_ACCMODE | Syscalls.O_TRUNC | Syscalls.O_APPEND | Syscalls.O_NONBLOCK
        | Syscalls.O_DIRECTORY | Syscalls.O_NOATIME | Syscalls.O_SYNC | Syscalls.O_DSYNC | Syscalls.O_DIRECT;

    public OpenResponse Open(CallHandles handles, OpenRequest request)
    {
        var node = handles.Get(request.Handle, "open");
        var flags = CheckOpenFlags((int)request.Flags, "open", null);
        CheckOpenable(node, flags, "open", null);
        var fd = Reopen(node.Fd, OpenFlagsFor(node.Type, flags), "open", null);
        var stat = StatOf(fd, "open", null);
        return new OpenResponse { Handle = handles.Add(new Node(node.Layer, fd, stat.Type, flags)), Stat = stat.ToMessage() };
    }

    public CreateResponse Create(CallHandles handles, CreateRequest request)
    {
        var dir = Directory(handles, request.Directory, "create");
        var name = ComponentName.Check(request.Name, "create");
        var printable = Printable(request.Name);
        var flags = CheckOpenFlags((int)request.Flags & ~Syscalls.O_EXCL, "create", printable) | ((int)request.Flags & Syscalls.O_EXCL);
        RequireWritable(dir.Layer, "create", printable);
        if ((flags & Syscalls.O_DIRECTORY) != 0)
        {
            throw new ErrnoException(Errno.EINVAL, "create", printable);
        }

        // The handle is reserved before the file is made: a spent budget must fail the call while
        // nothing has been created, or the name would exist while the client is told it does not.
        handles.Reserve();
        // O_EXCL first tells whether the file is new (owner is only set on new files). O_NOFOLLOW:
        // an existing symlink at the name fails with ELOOP instead of creating its target.
        var created = true;
        var mode = request.Mode & 0xFFF;
        var fd = Syscalls.OpenAt(dir.Fd, name, flags | Syscalls.O_CREAT | Syscalls.O_EXCL | Syscalls.O_NOFOLLOW | Syscalls.O_NONBLOCK, mode, out var error);
        if (fd is null && error == Errno.EEXIST && (flags & Syscalls.O_EXCL) == 0)
        {
            created = false;
            fd = OpenExisting(dir.Fd, name, flags, printable);
            error = 0;
        }

        if (fd is null)
        {
            throw new ErrnoException(error, "create", printable);
        }

        try
        {
            if (created && (request.HasUid || request.HasGid))
            {
                SetOwner(fd, request.HasUid ? request.Uid : uint.MaxValue, request.HasGid ? request.Gid : uint.MaxValue, "create", printable);
            }

            var stat = StatOf(fd, "create", request.Name);
            return new CreateResponse { Handle = handles.Add(new Node(dir.Layer, fd, stat.Type, flags & ~Syscalls.O_EXCL)), Stat = stat.ToMessage(), Created = created };
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>Opens an existing name for Create without O_CREAT, checking it is a file that may be opened.</summary>
    private static FileDescriptor OpenExisting(FileDescriptor dir, byte[] name, int flags, string printable)
    {
        var pathFd = Syscalls.OpenAt(dir, name, Syscalls.O_PATH | Syscalls.O_NOFOLLOW, 0, out var error)
            ?? throw new ErrnoException(error, "create", printable);
        using (pathFd)
        {
            var stat = StatOf(pathFd, "create", null);
            if (stat.IsDirectory)
            {
                throw new ErrnoException(Errno.EISDIR, "create", printable);
            }

            if (stat.IsSymlink)
            {
                throw new ErrnoException(Errno.ELOOP, "create", printable);
            }

            CheckOpenableType(stat.Type, "create", printable);
            return Reopen(pathFd, OpenFlagsFor(stat.Type, flags), "create", printable);
        }
    }

    public ReadResponse Read(CallHandles handles, ReadRequest request)
    {
        var node = ReadableNode(handles, request, "read");
        if (request.Length is <= 0 or > MaxTransfer)
        {
            throw new ErrnoException(Errno.EINVAL, "read", $"length {request.Length}");
        }

        var buffer = new byte[request.Length];
        var n = ReadAt(node, buffer, request.Offset);
        return new ReadResponse { Data = ByteString.CopyFrom(buffer, 0, n) };
    }

    /// <summary>Reads in chunks of at most <paramref name="chunk"/> bytes, to end of file when length is 0.</summary>
    public IEnumerable<ReadResponse> ReadChunks(CallHandles handles, ReadRequest request, int chunk)
    {
        var node = ReadableNode(handles, request, "read");
        if (request.Length < 0)
        {
            throw new ErrnoException(Errno.EINVAL, "read", $"length {request.Length}");
        }

        return Chunks(node, request.Offset, request.Length == 0 ? long.MaxValue : request.Length, chunk);
    }

    private static IEnumerable<ReadResponse> Chunks(Node node, long offset, long remaining, int chunk)
    {
        var buffer = new byte[(int)Math.Min(chunk, remaining)];
        while (remaining > 0)
        {
            var n = ReadAt(node, buffer.AsSpan(0, (int)Math.Min(buffer.Length, remaining)), offset);
            if (n == 0)
            {
                yield break;
            }

            yield return new ReadResponse { Data = ByteString.CopyFrom(buffer, 0, n) };
            offset += n;
            remaining -= n;
        }
    }

    private static Node ReadableNode(CallHandles handles, ReadRequest request, string operation)
    {
        var node = handles.Get(request.Handle, operation);
        if (!node.CanRead)
        {
            throw new ErrnoException(Errno.EBADF, operation, $"handle {request.Handle} (not open for reading)");
        }

        return request.Offset < 0 ? throw new ErrnoException(Errno.EINVAL, operation, $"offset {request.Offset}") : node;
    }

    /// <summary>pread until the span is full or end of file (a FIFO answers what it has).</summary>
    private static int ReadAt(Node node, Span<byte> buffer, long offset)
    {
        if (node.Type == FileStatus.Fifo)
        {
            // A FIFO has no offsets (pread fails with ESPIPE), and a non-blocking one with
            // nothing in it answers EAGAIN: that is an empty read here.
            var got = Syscalls.Read(node.Fd, buffer);
            return got == -Errno.EAGAIN ? 0 : (int)ErrnoException.ThrowIfError(got, "read");
        }

        var total = 0;
        while (total < buffer.Length)
        {
            var n = ErrnoException.ThrowIfError(Syscalls.Pread(node.Fd, buffer[total..], offset + total), "read");
            if (n == 0)
            {
                break;
            }

            total += (int)n;
        }

        return total;
    }

    public WriteResponse Write(CallHandles handles, WriteRequest request)
    {
        var node = handles.Get(request.Handle, "write");
        if (!node.CanWrite)
        {
            throw new ErrnoException(Errno.EBADF, "write", $"handle {request.Handle} (not open for writing)");
        }

        if (request.Offset < 0)
        {
            throw new ErrnoException(Errno.EINVAL, "write", $"offset {request.Offset}");
        }

        if (request.Data.Length > MaxTransfer)
        {
            throw new ErrnoException(Errno.EINVAL, "write", $"{request.Data.Length} bytes");
        }

        var append = (node.OpenFlags & Syscalls.O_APPEND) != 0 || node.Type == FileStatus.Fifo;
        var data = request.Data.Span;
        var total = 0;
        while (total < data.Length)
        {
            // O_APPEND handles and FIFOs write at their own position: pwrite would ignore
            // O_APPEND's intent on some filesystems and fails with ESPIPE on a FIFO.
            var n = append
                ? Syscalls.Write(node.Fd, data[total..])
                : Syscalls.Pwrite(node.Fd, data[total..], request.Offset + total);
            if (n < 0 && total > 0)
            {
                break;
            }

            total += (int)ErrnoException.ThrowIfError(n, "write");
        }

        return new WriteResponse { Written = total };
    }

    /// <summary>
    /// Lists a directory in batches, from a fresh descriptor so concurrent listings of one handle
    /// never share an offset.
    /// </summary>
    public IEnumerable<ReadDirResponse> ReadDir(CallHandles handles, ReadDirRequest request)
    {
        var node = Directory(handles, request.Handle, "readdir");
        if (request.BatchSize > 10_000)
        {
            throw new ErrnoException(Errno.EINVAL, "readdir", $"batch_size {request.BatchSize}");
        }

        var fd = Reopen(node.Fd, Syscalls.O_RDONLY | Syscalls.O_DIRECTORY, "readdir", null);
        return Batches(fd, request.WithStat, request.BatchSize == 0 ? 1000 : (int)request.BatchSize);
    }

    private static IEnumerable<ReadDirResponse> Batches(FileDescriptor fd, bool withStat, int batchSize)
    {
        using (fd)
        {
            var batch = new ReadDirResponse();
            foreach (var entry in DirectoryReader.Read(fd))
            {
                batch.Entries.Add(Describe(fd, entry, withStat));
                if (batch.Entries.Count == batchSize)
                {
                    yield return batch;
                    batch = new ReadDirResponse();
                }
            }

            if (batch.Entries.Count > 0)
            {
                yield return batch;
            }
        }
    }

    private static DirEntry Describe(FileDescriptor dir, DirectoryRecord entry, bool withStat)
    {
        var message = new DirEntry { Name = ByteString.CopyFrom(entry.Name), Ino = entry.Inode, Type = entry.Type };
        if (withStat)
        {
            // A name removed since getdents is listed without a stat rather than failing the listing.
            if (Syscalls.Stat(dir, entry.Name, Syscalls.AT_SYMLINK_NOFOLLOW, out var status) == 0)
            {
                message.Stat = status.ToMessage();
            }
        }

        return message;
    }

    public FsyncResponse Fsync(CallHandles handles, FsyncRequest request)
    {
        var node = handles.Get(request.Handle, "fsync");
        if (!node.IsOpen)
        {
            throw new ErrnoException(Errno.EBADF, "fsync", $"handle {request.Handle} (not open)");
        }

        ErrnoException.ThrowIfError(Syscalls.Fsync(node.Fd, request.DataOnly), "fsync");
        return new FsyncResponse();
    }

    private static int CheckOpenFlags(int flags, string operation, string? name) =>
        (flags & ~OpenFlagsAllowed) != 0 || (flags & Syscalls.O_ACCMODE) == Syscalls.O_ACCMODE
            ? throw new ErrnoException(Errno.EINVAL, operation, name is null ? $"flags 0x{flags:x}" : $"{name} (flags 0x{flags:x})")
            : flags;

    private static void CheckOpenable(Node node, int flags, string operation, string? name)
    {
        CheckOpenableType(node.Type, operation, name);
        var writes = (flags & Syscalls.O_ACCMODE) != Syscalls.O_RDONLY || (flags & Syscalls.O_TRUNC) != 0;
        if (node.Type == FileStatus.Symlink)
        {
            throw new ErrnoException(Errno.ELOOP, operation, name);
        }

        if (writes && node.IsDirectory)
        {
            throw new ErrnoException(Errno.EISDIR, operation, name);
        }

        // A FIFO's data never touches its layer: writing one is not a modification (the kernel
        // lets a FIFO on a read-only filesystem be opened for writing too).
        if (writes && node.Type != FileStatus.Fifo)
        {
            RequireWritable(node.Layer, operation, name);
        }

        if ((flags & Syscalls.O_DIRECTORY) != 0 && !node.IsDirectory)
        {
            throw new ErrnoException(Errno.ENOTDIR, operation, name);
        }
    }

    /// <summary>
    /// Devices (whiteouts included) and sockets are never opened: a device node in a layer would
    /// reach the host's device, and a socket would connect to a host service.
    /// </summary>
    private static void CheckOpenableType(uint type, string operation, string? name)
    {
        if (type is FileStatus.CharDevice or FileStatus.BlockDevice or FileStatus.Socket)
        {
            throw new ErrnoException(Errno.ENXIO, operation, name);
        }
    }

    /// <summary>
    /// FIFOs are always opened non-blocking: a blocking open waits for a peer that may never come
    /// and would pin a server thread for as long as a client likes.
    /// </summary>
    private static int OpenFlagsFor(uint type, int flags) =>
        type == FileStatus.Fifo ? flags | Syscalls.O_NONBLOCK : flags;
}
