using Gofer.Native;
using Gofer.Protocol.V1;
using Google.Protobuf;

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
    private bool closed;

    internal OpenFile(GoferSession session, ulong handle, Action changed)
    {
        this.session = session;
        this.handle = handle;
        this.changed = changed;
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

    /// <summary>close(2): the gofer's handle is released with the next request.</summary>
    public void Dispose()
    {
        if (!closed)
        {
            closed = true;
            session.Release([handle]);
        }
    }

    private ulong Live() => closed ? throw new ErrnoException(Errno.EBADF, "file", "closed") : handle;
}
