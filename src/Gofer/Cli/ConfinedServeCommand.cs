using Gofer.Native;
using Gofer.Server.Confinement;
using Gofer.Server.Hosting;
using Gofer.Server.Service;
using Microsoft.AspNetCore.Builder;

namespace Gofer.Cli;

/// <summary>
/// Image 3 of `gofer serve` (its own command line plus the hidden <c>--handoff-fd N</c>): exec'd by image 2 from inside
/// the staging root, it starts with one thread that already holds only the serving
/// capabilities (see ExecPrivileges), learns the staged plan from the handoff, and serves.
/// Nothing here needs a privilege file service does not.
/// </summary>
public static class ConfinedServeCommand
{
    /// <summary>Runs the serving image from the handoff at descriptor <paramref name="handoffFd"/>.</summary>
    public static async Task<int> RunAsync(int handoffFd)
    {
        var step = "reading the handoff";
        try
        {
            var handoff = ImageHandoff.Take(handoffFd);
            if (handoff.LifelineFd is { } lifeline)
            {
                step = "watching the parent";
                ParentLifeline.Watch(lifeline);
            }

            // Held, never used, until this process ends: its closing is the keeper's signal.
            using var keeper = handoff.KeeperFd is { } k ? new FileDescriptor(k) : null;
            if (keeper is not null)
            {
                ErrnoException.ThrowIfError(Syscalls.CloseOnExec(keeper.Fd), "fcntl(F_SETFD)");
            }

            var ready = handoff.ReadyFd is { } r ? new ReadyNotifier(r) : null;
            ready?.KeepFromChildren();
            step = "adopting the listener";
            using var listener = UnixListener.Adopt(handoff.ListenerFd);
            step = "opening the staged layers";
            using var mounts = ServedMounts.Open(handoff.Plan, layer => layer.StagingPath);

            // Last step before serving: everything above may make calls the allowlist refuses
            // (the handoff's memfd, opening the layers); nothing after it may.
            step = "confining system calls";
            SyscallFilter.Install();
            step = "serving";
            await using var app = GoferHost.Build(mounts, listener, handoff.LogLevel);
            if (ready is not null)
            {
                app.Lifetime.ApplicationStarted.Register(ready.Signal);
            }

            await app.RunAsync().ConfigureAwait(false);
            return ExitCodes.Success;
        }
#pragma warning disable CA1031 // Whatever fails, expected or not, is reported as the step it failed in, on one line.
        catch (Exception e)
#pragma warning restore CA1031
        {
            FailureMessage.Write("serve", step, e);
            return ExitCodes.Failure;
        }
    }
}
