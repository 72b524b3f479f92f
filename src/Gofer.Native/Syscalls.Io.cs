namespace Gofer.Native;

/// <summary>
/// Data and state of open descriptors, for safe callers: buffers are spans, and the call never
/// reads or writes past them (the count passed to the kernel is the span's length).
/// </summary>
public static unsafe partial class Syscalls
{
    public const short POLLIN = 0x001;

    /// <summary>read(2) into <paramref name="buffer"/>: the bytes read, 0 at end of file, or a negated errno.</summary>
    public static long Read(FileDescriptor fd, Span<byte> buffer)
    {
        using var d = new DescriptorUse(fd);
        fixed (byte* b = buffer)
        {
            return d.IsClosed ? -Errno.EBADF : ReadFd(d.Number, b, buffer.Length);
        }
    }

    /// <summary>pread(2) into <paramref name="buffer"/> at <paramref name="offset"/>.</summary>
    public static long Pread(FileDescriptor fd, Span<byte> buffer, long offset)
    {
        using var d = new DescriptorUse(fd);
        fixed (byte* b = buffer)
        {
            return d.IsClosed ? -Errno.EBADF : Pread(d.Number, b, buffer.Length, offset);
        }
    }

    /// <summary>write(2) of <paramref name="data"/>: the bytes written (maybe fewer), or a negated errno.</summary>
    public static long Write(FileDescriptor fd, ReadOnlySpan<byte> data)
    {
        using var d = new DescriptorUse(fd);
        fixed (byte* b = data)
        {
            return d.IsClosed ? -Errno.EBADF : Write(d.Number, b, data.Length);
        }
    }

    /// <summary>pwrite(2) of <paramref name="data"/> at <paramref name="offset"/>.</summary>
    public static long Pwrite(FileDescriptor fd, ReadOnlySpan<byte> data, long offset)
    {
        using var d = new DescriptorUse(fd);
        fixed (byte* b = data)
        {
            return d.IsClosed ? -Errno.EBADF : Pwrite(d.Number, b, data.Length, offset);
        }
    }

    /// <summary>copy_file_range(2) between two descriptors at the offsets given (the descriptors' own offsets are left alone).</summary>
    public static long CopyFileRange(FileDescriptor input, long inputOffset, FileDescriptor output, long outputOffset, long length)
    {
        using var i = new DescriptorUse(input);
        using var o = new DescriptorUse(output);
        return i.IsClosed || o.IsClosed ? -Errno.EBADF : CopyFileRange(i.Number, inputOffset, o.Number, outputOffset, length);
    }

    public static int Ftruncate(FileDescriptor fd, long length)
    {
        using var d = new DescriptorUse(fd);
        return d.IsClosed ? -Errno.EBADF : Ftruncate(d.Number, length);
    }

    public static int Fsync(FileDescriptor fd, bool dataOnly)
    {
        using var d = new DescriptorUse(fd);
        return d.IsClosed ? -Errno.EBADF : Fsync(d.Number, dataOnly);
    }

    public static int Fstatfs(FileDescriptor fd, out FilesystemStatus status)
    {
        using var d = new DescriptorUse(fd);
        status = default;
        return d.IsClosed ? -Errno.EBADF : Fstatfs(d.Number, out status);
    }

    /// <summary>
    /// poll(2) on two descriptors for <paramref name="events"/>, waiting up to <paramref name="timeout"/>
    /// ms (-1: no limit). The number of descriptors with events, or a negated errno; each one's
    /// returned events (POLLHUP, POLLERR and POLLNVAL included) in its out argument.
    /// </summary>
    public static int Poll(FileDescriptor first, FileDescriptor second, short events, int timeout, out short firstReturned, out short secondReturned)
    {
        using var a = new DescriptorUse(first);
        using var b = new DescriptorUse(second);
        var fds = stackalloc PollDescriptor[2];
        fds[0] = new PollDescriptor { Fd = a.Number, Events = events };
        fds[1] = new PollDescriptor { Fd = b.Number, Events = events };
        var n = a.IsClosed || b.IsClosed ? -Errno.EBADF : Result(LibcImports.poll(fds, 2, timeout));
        firstReturned = fds[0].Revents;
        secondReturned = fds[1].Revents;
        return n;
    }
}
