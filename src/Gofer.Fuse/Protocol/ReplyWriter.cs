using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Gofer.Fuse.Mounting;
using Gofer.Native;

namespace Gofer.Fuse.Protocol;

/// <summary>
/// Builds replies in one buffer and sends each with a single write(2) of header and payload: the
/// kernel takes a reply as one write, and a reply split over two writes would be two replies.
/// </summary>
internal sealed class ReplyWriter
{
    private static readonly int HeaderSize = Unsafe.SizeOf<FuseOutHeader>();
    private readonly FuseDevice device;
    private readonly byte[] buffer;

    public ReplyWriter(FuseDevice device, int maxPayload)
    {
        this.device = device;
        buffer = new byte[HeaderSize + maxPayload];
    }

    /// <summary>Where a reply's payload is built before <see cref="Send"/>.</summary>
    public Span<byte> Payload => buffer.AsSpan(HeaderSize);

    /// <summary>Sends the first <paramref name="length"/> bytes of <see cref="Payload"/> as the answer to <paramref name="unique"/>.</summary>
    /// <remarks>Every send returns whether the kernel took it (false: the request was interrupted, or the connection is gone).</remarks>
    public bool Send(ulong unique, int length) => Write(unique, 0, length);

    public bool Ok(ulong unique) => Send(unique, 0);

    public bool Ok<T>(ulong unique, in T value)
        where T : unmanaged
    {
        MemoryMarshal.Write(Payload, in value);
        return Send(unique, Unsafe.SizeOf<T>());
    }

    public bool Ok(ulong unique, ReadOnlySpan<byte> data)
    {
        data.CopyTo(Payload);
        return Send(unique, data.Length);
    }

    /// <summary>A failure: the header alone, with the negated errno.</summary>
    public bool Error(ulong unique, int errno) => Write(unique, -errno, 0);

    /// <summary>A notification: unique 0, the code where an error would be.</summary>
    public bool Notify<T>(NotifyCode code, in T value)
        where T : unmanaged
    {
        MemoryMarshal.Write(Payload, in value);
        return Write(0, (int)code, Unsafe.SizeOf<T>());
    }

    /// <summary>FUSE_NOTIFY_INVAL_ENTRY for <paramref name="name"/> in directory node <paramref name="parent"/>.</summary>
    public bool NotifyInvalEntry(ulong parent, string name)
    {
        var payload = Payload;
        var fixedPart = Unsafe.SizeOf<FuseNotifyInvalEntryOut>();
        var length = System.Text.Encoding.UTF8.GetBytes(name, payload[fixedPart..]);
        MemoryMarshal.Write(payload, new FuseNotifyInvalEntryOut { Parent = parent, NameLength = (uint)length });
        payload[fixedPart + length] = 0;
        return Write(0, (int)NotifyCode.InvalEntry, fixedPart + length + 1);
    }

    private bool Write(ulong unique, int error, int length)
    {
        var header = new FuseOutHeader { Length = (uint)(HeaderSize + length), Error = error, Unique = unique };
        MemoryMarshal.Write(buffer, in header);
        var result = device.Write(buffer.AsSpan(0, (int)header.Length));

        // ENOENT: the request was interrupted and the kernel no longer waits for it (or a
        // notification named an inode the kernel has already dropped). ENODEV: the connection
        // ended; the next read says so and ends the loop.
        if (result < 0 && -result is not (Errno.ENOENT or Errno.ENODEV))
        {
            throw new ErrnoException((int)-result, "write /dev/fuse");
        }

        return result >= 0;
    }
}
