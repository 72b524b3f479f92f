using Gofer.Native;

namespace Gofer.Cli;

/// <summary>
/// `--lifeline-fd N`: the read end of a pipe whose only write end the process that started the
/// gofer holds. When that end closes — the parent exited or was killed by any signal, kill -9
/// included, since the kernel closes a dead process's descriptors — the gofer stops as on SIGTERM,
/// so it never outlives the one process using it. (Why a pipe and not PR_SET_PDEATHSIG: see
/// GoferServerProcess.) A lifeline cut before the watch starts is seen at once: there is no race.
/// </summary>
public static class ParentLifeline
{
    /// <summary>How long the graceful stop may take before the gofer ends itself with SIGKILL.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(800);

    private const int Sigkill = 9;
    private const int Sigterm = 15;

    /// <summary>Starts watching <paramref name="fd"/> on a thread of its own.</summary>
    public static void Watch(int fd)
    {
        // Nothing this process starts may hold the lifeline; it is the parent's alone to cut.
        ErrnoException.ThrowIfError(Syscalls.CloseOnExec(fd), "fcntl(F_SETFD)", $"--lifeline-fd {fd}");
        var watcher = new Thread(() => WaitAndStop(fd)) { IsBackground = true, Name = "gofer lifeline" };
        watcher.Start();
    }

    private static void WaitAndStop(int fd)
    {
        if (Syscalls.WaitForHangup(fd) < 0)
        {
            return;
        }

        // SIGTERM is the gofer's graceful stop (handles closed, socket removed). Nobody reads the
        // gofer's stderr any more, so nothing is logged; and should the stop hang, the parent is
        // gone and no one else would end this process: it ends itself.
        Syscalls.Kill(Environment.ProcessId, Sigterm);
        Thread.Sleep(Grace);
        Syscalls.Kill(Environment.ProcessId, Sigkill);
    }
}
