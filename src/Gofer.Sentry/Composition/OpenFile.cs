using Gofer.Native;
using Gofer.Protocol.V1;
using Gofer.Sentry.FileSystem;
using Google.Protobuf;
using FileAttributes = Gofer.Sentry.FileSystem.FileAttributes;

namespace Gofer.Sentry.Composition;

/// <summary>
/// A file opened through the sentry: the gofer's handle on it in the layer that serves it (the
/// upper once opened for writing, which copied it up). Reads and writes go to that one file, so a
/// copy-up never happens under an open handle.
/// </summary>
public sealed class OpenFile : IDisposable
{
    private readonly GoferSession session;
    private readonly ulong handle;
    private readonly Action changed;
    private readonly Action released;
    private bool closed;

    /// <param name="changed">Called after a write or truncation: the view's cache of the file is out of date.</param>
    /// <param name="released">Called once, when the file is closed.</param>
    internal OpenFile(GoferSession session, ulong handle, Action changed, Action released)
    {
        this.session = session;
        this.handle = handle;
        this.changed = changed;
        this.released = released;
    }

    /// <summary>pread(2): at most <paramref name="count"/> bytes at <paramref name="offset"/>; fewer at end of file.</summary>
    public byte[] Read(long offset, int count) =>
        session.Call(new SessionRequest { Read = new ReadRequest { Handle = Live(), Offset = offset, Length = count } }).Read.Data.ToByteArray();

    /// <summary>pwrite(2) (write(2) for a file opened with O_APPEND); returns the bytes written.</summary>
    public long Write(long offset, ReadOnlySpan<byte> data)
    {
        var written = session.Call(new SessionRequest { Write = new WriteRequest { Handle = Live(), Offset = offset, Data = ByteString.CopyFrom(data) } }).Write.Written;
        changed();
        return written;
    }

    /// <summary>fsync(2), or fdatasync(2) with <paramref name="dataOnly"/>.</summary>
    public void Fsync(bool dataOnly = false) =>
        session.Call(new SessionRequest { Fsync = new FsyncRequest { Handle = Live(), DataOnly = dataOnly } });

    /// <summary>
    /// fstat(2): the open file's own attributes through the gofer's handle, so a file whose every
    /// name was removed while it was open still answers. Numbers are those of the layer holding
    /// the file, as <see cref="OverlayFileSystem.Lstat"/> reports a file's.
    /// </summary>
    public FileAttributes Stat()
    {
        var s = session.Call(new SessionRequest { Stat = new StatRequest { Handle = Live() } }).Stat.Stat;
        var kind = OverlayFileSystem.KindOf(s.Mode & FileStatus.TypeMask);
        return new FileAttributes(kind, s.Mode & 0xFFF, s.Size, s.Nlink, s.Uid, s.Gid, s.Dev, s.Ino, s.Rdev,
            (s.Atime.Sec * 1_000_000_000) + s.Atime.Nsec, (s.Mtime.Sec * 1_000_000_000) + s.Mtime.Nsec);
    }

    /// <summary>ftruncate(2): through the open handle, so it works on a file whose names are gone.</summary>
    public void Truncate(long size)
    {
        session.Call(new SessionRequest { SetAttr = new SetAttrRequest { Handle = Live(), Size = size } });
        changed();
    }

    /// <summary>close(2): the gofer's handle is released with the next request.</summary>
    public void Dispose()
    {
        if (!closed)
        {
            closed = true;
            session.Release([handle]);
            released();
        }
    }

    private ulong Live() => closed ? throw new ErrnoException(Errno.EBADF, "file", "closed") : handle;
}
