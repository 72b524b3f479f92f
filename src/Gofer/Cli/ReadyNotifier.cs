using Gofer.Native;

namespace Gofer.Cli;

/// <summary>`--ready-fd N`: one byte written once serving, then the descriptor closed, so a runtime can wait on a pipe instead of polling the socket.</summary>
public sealed class ReadyNotifier(int fd)
{
    /// <summary>The descriptor number, to hand on to the serving image.</summary>
    public int Fd => fd;

    /// <summary>Sets close-on-exec on the descriptor, so that children started later do not inherit it.</summary>
    public void KeepFromChildren() => ErrnoException.ThrowIfError(Syscalls.CloseOnExec(fd), "fcntl(F_SETFD)");

    public void Signal()
    {
        using var owned = new FileDescriptor(fd);
        Syscalls.Write(owned, "R"u8);
    }
}
