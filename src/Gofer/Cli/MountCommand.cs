using System.CommandLine;
using System.Runtime.InteropServices;
using Gofer.Fuse;
using Gofer.MountHelper;
using Gofer.Native;
using Gofer.Sentry.Composition;
using Gofer.Sentry.Launch;

namespace Gofer.Cli;

/// <summary>
/// `gofer mount [SOURCE] MOUNTPOINT -o lowerdir=…,upperdir=…,workdir=…`: an overlay mounted through
/// FUSE. A gofer serves the layers from its own mount namespace, exactly as for a container; this
/// process composes them with the sentry and answers the kernel's FUSE requests. Like other mount
/// helpers it returns once the mount is up and keeps serving in the background (-f: in the
/// foreground); `umount MOUNTPOINT` or SIGTERM ends the gofer and this process, leaving nothing
/// mounted. Invoked as `gofer-overlay` the binary is this command, so mount.fuse3 can run it.
/// </summary>
public static class MountCommand
{
    /// <summary>The name mount(8) and mount.fuse3 use for this filesystem type (fuse.gofer-overlay).</summary>
    public const string HelperName = "gofer-overlay";

    private const string Name = "mount";

    public static Command Create(IReadOnlyList<string> rawArguments)
    {
        var places = new Argument<string[]>("[SOURCE] MOUNTPOINT") { Description = "The source shown in the mount table (default gofer-overlay) and the directory to mount on.", Arity = new ArgumentArity(1, 2) };
        var options = new Option<string[]>("-o") { Description = "Mount options, comma-separated; repeatable. The overlay's (lowerdir=, upperdir=, workdir=, userxattr, redirect_dir=) and the generic ro, nosuid, nodev, noexec, noatime.", Required = true };
        var foreground = new Option<bool>("--foreground", "-f") { Description = "Stay in the foreground until unmounted instead of returning once mounted." };
        var readyFd = DescriptorOption.Create("--ready-fd", "Write one byte to this descriptor once mounted (used when going to the background).", hidden: true);
        var command = new Command("mount", "Mount an overlay through FUSE, its layers served by a confined gofer.") { places, options, foreground, readyFd };
        command.SetAction((result, _) =>
        {
            var given = result.GetValue(places)!;
            var source = given.Length == 2 ? given[0] : HelperName;
            var mountPoint = Path.GetFullPath(given[^1]);
            OverlayMountRequest request;
            try
            {
                request = MountRequestParser.Parse(source, result.GetValue(options)!, Environment.CurrentDirectory);
            }
            catch (ArgumentException e)
            {
                FailureMessage.Write(Name, e.Message);
                return Task.FromResult(ExitCodes.Usage);
            }

            if (result.GetValue(foreground) || result.GetValue(readyFd) is not null)
            {
                return ServeAsync(request, mountPoint, result.GetValue(readyFd) is { } fd ? new ReadyNotifier(fd) : null);
            }

            return BackgroundAsync(rawArguments);
        });
        return command;
    }

    /// <summary>
    /// Starts this command again in the foreground as a new session (away from the caller's
    /// terminal) and returns once it reports the mount up, or with its status and errors if it
    /// could not mount. No fork: a .NET process has threads, so the child is a fresh exec.
    /// </summary>
    private static async Task<int> BackgroundAsync(IReadOnlyList<string> rawArguments)
    {
        ReadyChild child;
        try
        {
            child = await ReadyChild.StartAsync(Environment.ProcessPath ?? "/proc/self/exe", rawArguments).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Whatever keeps the background process from starting is reported as such, on one line.
        catch (Exception e)
#pragma warning restore CA1031
        {
            FailureMessage.Write(Name, "starting the background process", e);
            return ExitCodes.Failure;
        }

        using var process = child.Process;
        if (child.Ready)
        {
            return ExitCodes.Success;
        }

        // Its errors are already one line each, and its status one of ours; unless it was killed.
        await process.WaitForExitAsync().ConfigureAwait(false);
        await Console.Error.WriteAsync(await child.Stderr.ConfigureAwait(false)).ConfigureAwait(false);
        if (process.ExitCode is ExitCodes.SpecRefused or ExitCodes.Usage or ExitCodes.Failure)
        {
            return process.ExitCode;
        }

        FailureMessage.Write(Name, $"the background process ended with status {process.ExitCode} before mounting");
        return ExitCodes.Failure;
    }

    private static async Task<int> ServeAsync(OverlayMountRequest request, string mountPoint, ReadyNotifier? ready)
    {
        // Each step names itself, so that a failure says what the mount was doing when it failed.
        var step = "taking the ready descriptor";
        try
        {
            if (ready is not null)
            {
                // Started by Background: leave the caller's session so its terminal's signals and
                // hangup do not reach the mount.
                Syscalls.Setsid();

                // Only this process may hold the write end: a gofer started below must not keep the
                // caller waiting if this process fails before it is mounted.
                ready.KeepFromChildren();
            }

            step = "choosing a runtime directory";
            var (runtimeDirectory, refusals) = RuntimeDirectory.Choose();
            if (runtimeDirectory is null)
            {
                FailureMessage.Write(Name, $"no private runtime directory for the bundle: {refusals}");
                return ExitCodes.Failure;
            }

            step = $"removing stale bundles in {runtimeDirectory}";
            OneMountBundle.RemoveStale(runtimeDirectory);
            step = $"writing the bundle in {runtimeDirectory}";
            using var bundle = OneMountBundle.Create(runtimeDirectory, request.Fuse.Source, request.OverlayOptions);
            step = "starting the gofer";
            GoferServerProcess gofer;
            try
            {
                gofer = await GoferServerProcess.StartAsync(Environment.ProcessPath ?? "/proc/self/exe", bundle.Path, bundle.SocketPath, extraArguments: ["--log-level", "Warning"]).ConfigureAwait(false);
            }
            catch (GoferStartException e)
            {
                return ReportGoferFailure(e);
            }

            try
            {
                return await MountAndServeAsync(request, mountPoint, ready, bundle, gofer, s => step = s).ConfigureAwait(false);
            }
            finally
            {
                await gofer.TerminateAsync().ConfigureAwait(false);
                await gofer.DisposeAsync().ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // Whatever fails, expected or not, is reported as the step it failed in, on one line.
        catch (Exception e)
#pragma warning restore CA1031
        {
            FailureMessage.Write(Name, step, e);
            return ExitCodes.Failure;
        }
    }

    private static async Task<int> MountAndServeAsync(OverlayMountRequest request, string mountPoint, ReadyNotifier? ready, OneMountBundle bundle, GoferServerProcess gofer, Action<string> step)
    {
        step($"connecting to the gofer on {bundle.SocketPath}");
        using var fileSystem = SentryMounts.Open(bundle.SocketPath, OneMountBundle.Destination);

        // The gofer has read the spec, opened every layer and pivoted; this connection is the only
        // one there will be. Nothing needs the bundle any more, so it goes now: from here on no
        // death of this process, kill -9 included, can leave it behind.
        step($"removing the bundle {bundle.Path}");
        bundle.Dispose();
        step($"mounting {mountPoint}");
        using var fuse = FuseMount.Mount(mountPoint, request.Fuse);
        void Unmount()
        {
            try
            {
                fuse.Unmount();
            }
            catch (ErrnoException e)
            {
                FailureMessage.Write(Name, $"unmounting {mountPoint}", e);
            }
            catch (ObjectDisposedException)
            {
                // Already served and closed: nothing left to unmount.
            }
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            Unmount();
        }

        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);

        // Without its gofer the mount could only answer EIO: it goes when the gofer goes.
        var goferGone = gofer.WaitForExitAsync();
        _ = goferGone.ContinueWith(_ => Unmount(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        ready?.Signal();
        step($"serving {mountPoint}");
        fuse.Serve(fileSystem);
        if (goferGone.IsCompleted)
        {
            var (status, errors) = await gofer.TerminateAsync().ConfigureAwait(false);
            var said = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
            FailureMessage.Write(Name, $"the gofer exited (status {status}{(said is null ? "" : $": {said}")}); unmounted {mountPoint}");
            return ExitCodes.Failure;
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// A gofer that could not start said why, one line per problem (a refused spec) or one line
    /// (staging failed): each is passed on as this command's, and so is its status.
    /// </summary>
    private static int ReportGoferFailure(GoferStartException e)
    {
        var lines = e.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var line in lines.DefaultIfEmpty($"gofer serve exited with status {e.ExitCode} before serving"))
        {
            FailureMessage.Write(Name, line.StartsWith("gofer: ", StringComparison.Ordinal) ? line["gofer: ".Length..] : line);
        }

        return e.ExitCode is ExitCodes.SpecRefused or ExitCodes.Failure ? e.ExitCode : ExitCodes.Failure;
    }
}
