namespace Gofer.Native;

/// <summary>
/// A descriptor and a name, ready for the kernel: the descriptor held for the call
/// (<see cref="DescriptorUse"/>) and the name NUL-terminated (<see cref="CString"/>). The
/// directory and name of an *at call, or the file and xattr name of an xattr call.
/// </summary>
internal readonly ref struct DescriptorWithName
{
    private readonly DescriptorUse fd;
    private readonly CString name;

    public DescriptorWithName(FileDescriptor fd, ReadOnlySpan<byte> name, Span<byte> scratch)
    {
        this.fd = new DescriptorUse(fd);
        this.name = new CString(name, scratch);
    }

    /// <summary>The descriptor's number.</summary>
    public int Number => fd.Number;

    /// <summary>Why the call may not be made: -EBADF (the descriptor is closed), -EINVAL (a NUL in the name), or 0.</summary>
    public int Refused => fd.IsClosed ? -Errno.EBADF : name.IsValid ? 0 : -Errno.EINVAL;

    /// <summary>For <c>fixed</c>: the NUL-terminated name.</summary>
    public ref byte GetPinnableReference() => ref name.GetPinnableReference();

    public void Dispose() => fd.Dispose();
}
