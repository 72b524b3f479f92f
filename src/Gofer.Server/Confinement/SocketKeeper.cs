using System.Diagnostics;
using System.Globalization;
using Gofer.Native;
using Gofer.Server.Hosting;

namespace Gofer.Server.Confinement;

/// <summary>
/// Removes the gofer's socket file once the gofer has ended, however it ended (SIGKILL included),
/// so that the serving gofer itself holds no descriptor on the host directory the socket is in:
/// with its fd table reachable at /proc/self/fd, such a descriptor would be a path out
/// (<c>/proc/self/fd/N/..</c>). The keeper is a separate process — this binary, hidden command
/// <see cref="CommandName"/> — holding only that directory and the read end of a pipe whose write
/// end only the serving gofer holds; end-of-file on it means the gofer is gone.
/// </summary>
/// <remarks>
/// The keeper reads nothing but that end-of-file, so no client byte ever reaches it. It is
/// confined as far as its one job allows: it starts from inside the staging root with no
/// capability but CAP_DAC_OVERRIDE, and that one only when its uid could not otherwise remove an
/// entry of the socket's directory; it is not dumpable, so the serving gofer (whose capabilities
/// include the keeper's) cannot ptrace it or read its descriptors.
/// </remarks>
public static class SocketKeeper
{
    public const string CommandName = "keep-socket";

    /// <summary>
    /// Starts the keeper of <paramref name="file"/> from <paramref name="binary"/> (a path in the
    /// current root) and returns the pipe's write end, which the serving image must hold until it
    /// ends. This process's copy of the directory descriptor is closed.
    /// </summary>
    public static FileDescriptor Start(SocketFile file, string binary)
    {
        ArgumentNullException.ThrowIfNull(file);
        var (hangup, held) = Syscalls.Pipe();
        try
        {
            using (file)
            using (hangup)
            {
                // Only these two cross the exec: everything else this process holds (the listener,
                // the runtime's descriptors) is close-on-exec from here on.
                ErrnoException.ThrowIfError(Syscalls.CloseOnExecFrom(3), "close_range(CLOEXEC)");
                ErrnoException.ThrowIfError(Syscalls.Inherit(file.Directory.Fd), "fcntl(F_SETFD)");
                ErrnoException.ThrowIfError(Syscalls.Inherit(hangup.Fd), "fcntl(F_SETFD)");
                var start = new ProcessStartInfo(binary, Arguments(file, hangup)) { UseShellExecute = false, WorkingDirectory = "/" };
                SpawnConfined(start, CapabilitiesFor(file));
            }

            return held;
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary>The keeper's side: waits for end-of-file on <paramref name="hangupFd"/>, then removes the socket if it is still the one bound.</summary>
    public static int Run(int directoryFd, string name, ulong device, ulong inode, int hangupFd)
    {
        // Not dumpable: whoever shares the keeper's uid needs CAP_SYS_PTRACE to trace it or to
        // read its fd table, the serving gofer included.
        ErrnoException.ThrowIfError(Syscalls.SetNotDumpable(), "PR_SET_DUMPABLE");

        // stdin and stdout are of no use; stderr stays for a failure's one line, and whoever
        // waits for it to close learns that the socket is gone.
        new FileDescriptor(0).Dispose();
        new FileDescriptor(1).Dispose();
        using var hangup = new FileDescriptor(hangupFd);
        using var file = new SocketFile(new FileDescriptor(directoryFd), name, device, inode);
        ErrnoException.ThrowIfError(Syscalls.WaitForHangup(hangupFd), "poll", "the gofer's pipe");
        file.RemoveIfUnchanged();
        return 0;
    }

    private static string[] Arguments(SocketFile file, FileDescriptor hangup) =>
    [
        CommandName,
        "--directory-fd", file.Directory.Fd.ToString(CultureInfo.InvariantCulture),
        "--name", file.Name,
        "--device", file.Device.ToString(CultureInfo.InvariantCulture),
        "--inode", file.Inode.ToString(CultureInfo.InvariantCulture),
        "--hangup-fd", hangup.Fd.ToString(CultureInfo.InvariantCulture),
    ];

    /// <summary>
    /// Removing an entry needs write and search permission on the directory: by its mode bits for
    /// the keeper's uid if they allow it (no capability then), else CAP_DAC_OVERRIDE, as the bind
    /// itself needed. Groups are not looked at: in doubt the capability is kept.
    /// </summary>
    public static IReadOnlyList<CapabilityGrant> CapabilitiesFor(SocketFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        ErrnoException.ThrowIfError(Syscalls.Stat(file.Directory, out var directory), "stat socket directory");
        const uint writeSearch = 0x3; // -wx
        var uid = Syscalls.EffectiveUserId();
        // Not the owner: the group's bits or the others', depending on groups not looked at; both must allow it.
        var bits = directory.Uid == uid ? (directory.Mode >> 6) & 7 : (directory.Mode >> 3) & directory.Mode & 7;
        return (bits & writeSearch) == writeSearch
            ? []
            : [new CapabilityGrant(Capability.DacOverride, "the socket's directory is not writable by the gofer's uid by its mode bits, as binding there was not")];
    }

    /// <summary>
    /// Starts the process from a thread of its own that confines itself first: credentials are
    /// per thread, a child gets the forking thread's, and this thread ends right after, so the
    /// confinement reaches the child (from its first instruction, in all its threads) and no one
    /// else.
    /// </summary>
    private static void SpawnConfined(ProcessStartInfo start, IReadOnlyList<CapabilityGrant> keep)
    {
        Exception? failure = null;
        var spawner = new Thread(() =>
        {
            try
            {
                ExecPrivileges.Confine(keep);
                using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
            }
#pragma warning disable CA1031 // Carried to the caller's thread, which reports it.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = e;
            }
        })
        { Name = "gofer keeper spawn" };
        spawner.Start();
        spawner.Join();
        if (failure is not null)
        {
            throw failure;
        }
    }
}
