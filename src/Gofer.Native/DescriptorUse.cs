namespace Gofer.Native;

/// <summary>
/// A descriptor's number, held for the length of one system call.
/// </summary>
/// <remarks>
/// The reference taken here is what makes a <see cref="FileDescriptor"/> safe to hand to a call
/// while another thread may dispose it (a client closing a handle while a request on it runs):
/// the close is put off until the call returns, so the number can never be closed and reused by
/// another open in between — the call cannot land on someone else's file. A descriptor already
/// disposed is reported as closed, and the calls answer EBADF as the kernel would for a closed number.
/// </remarks>
internal readonly ref struct DescriptorUse
{
    private readonly FileDescriptor? held;

    public DescriptorUse(FileDescriptor fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        var added = false;
        try
        {
            fd.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            // Closed already: IsClosed says so, and nothing is held.
        }

        held = added ? fd : null;
        Number = added ? (int)fd.DangerousGetHandle() : -1;
    }

    /// <summary>The descriptor number; -1 when <see cref="IsClosed"/>.</summary>
    public int Number { get; }

    public bool IsClosed => held is null;

    public void Dispose() => held?.DangerousRelease();
}
