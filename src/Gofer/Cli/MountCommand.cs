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

    public static Command Create(IReadOnlyList<string> rawArguments)
    {
        var places = new Argument<string[]>("[SOURCE] MOUNTPOINT") { Description = "The source shown in the mount table (default gofer-overlay) and the directory to mount on.", Arity = new ArgumentArity(1, 2) };
        var options = new Option<string[]>("-o") { Description = "Mount options, comma-separated; repeatable. The overlay's (lowerdir=, upperdir=, workdir=, userxattr, redirect_dir=) and the generic ro, nosuid, nodev, noexec, noatime.", Required = true };
        var foreground = new Option<bool>("--foreground", "-f") { Description = "Stay in the foreground until unmounted instead of returning once mounted." };
        var readyFd = new Option<int?>("--ready-fd") { Description = "Write one byte to this descriptor once mounted (used when going to the background).", Hidden = true };
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
                Console.Error.WriteLine($"gofer mount: {e.Message}");
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
        var child = await ReadyChild.StartAsync(Environment.ProcessPath ?? "/proc/self/exe", rawArguments).ConfigureAwait(false);
        if (child.Ready)
        {
            return ExitCodes.Success;
        }

        await child.Process.WaitForExitAsync().ConfigureAwait(false);
        await Console.Error.WriteAsync(await child.Stderr.ConfigureAwait(false)).ConfigureAwait(false);
        return child.Process.ExitCode;
    }

    private static async Task<int> ServeAsync(OverlayMountRequest request, string mountPoint, ReadyNotifier? ready)
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

        using var bundle = OneMountBundle.Create(request.Fuse.Source, request.OverlayOptions);
        GoferServerProcess gofer;
        try
        {
            gofer = await GoferServerProcess.StartAsync(Environment.ProcessPath ?? "/proc/self/exe", bundle.Path, bundle.SocketPath, extraArguments: ["--log-level", "Warning"]).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            await Console.Error.WriteLineAsync($"gofer mount: {e.Message.TrimEnd()}").ConfigureAwait(false);
            return ExitCodes.SpecRefused;
        }

        try
        {
            using var fileSystem = SentryMounts.Open(bundle.SocketPath, OneMountBundle.Destination);
            using var fuse = FuseMount.Mount(mountPoint, request.Fuse);
            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                fuse.Unmount();
            }

            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);

            // Without its gofer the mount could only answer EIO: it goes when the gofer goes.
            var goferGone = gofer.WaitForExitAsync();
            _ = goferGone.ContinueWith(_ => fuse.Unmount(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            ready?.Signal();
            fuse.Serve(fileSystem);
            if (goferGone.IsCompleted)
            {
                var (status, errors) = await gofer.TerminateAsync().ConfigureAwait(false);
                await Console.Error.WriteLineAsync($"gofer mount: the gofer exited (status {status}); unmounted {mountPoint}\n{errors}".TrimEnd()).ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            return ExitCodes.Success;
        }
        finally
        {
            await gofer.TerminateAsync().ConfigureAwait(false);
            await gofer.DisposeAsync().ConfigureAwait(false);
        }
    }
}
