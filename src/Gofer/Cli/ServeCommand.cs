using System.CommandLine;
using Gofer.Server.Confinement;
using Gofer.Server.Hosting;
using Gofer.Server.Spec;
using Gofer.Server.Staging;
using Microsoft.Extensions.Logging;

namespace Gofer.Cli;

/// <summary>`gofer serve`: stage a bundle's layers privately and serve them on a Unix socket until SIGTERM/SIGINT.</summary>
public static class ServeCommand
{
    public static Command Create(IReadOnlyList<string> rawArguments)
    {
        var bundle = new Option<string>("--bundle") { Description = "The OCI bundle directory (holding config.json).", Required = true };
        var socket = new Option<string?>("--socket") { Description = "Path of the Unix socket to create (mode 0600; a stale socket file is replaced)." };
        var listenFd = DescriptorOption.Create("--listen-fd", "Serve a socket the runtime already bound and listens on, by descriptor number.");
        var readyFd = DescriptorOption.Create("--ready-fd", "Write one byte to this descriptor once serving, then close it.");
        var logLevel = new Option<LogLevel>("--log-level") { Description = "Trace, Debug, Information, Warning, Error, Critical or None.", DefaultValueFactory = _ => LogLevel.Information };
        var lifelineFd = DescriptorOption.Create("--lifeline-fd", "The read end of a pipe held open by the parent: stop when it closes.", hidden: true);
        var handoffFd = DescriptorOption.Create(ImageHandoff.DescriptorOption, "Set by gofer serve itself: the sealed memfd that makes this the confined serving image.", hidden: true);
        var command = new Command("serve", "Stage every layer of the bundle's mounts in a private mount namespace and serve them over gRPC.")
        {
            bundle, socket, listenFd, readyFd, logLevel, lifelineFd, handoffFd,
        };
        command.Validators.Add(result =>
        {
            // Whether each was given, not its value: reading a value that failed to parse throws.
            if ((result.GetResult(socket) is null) == (result.GetResult(listenFd) is null))
            {
                result.AddError("give exactly one of --socket PATH and --listen-fd N");
            }

            if (result.GetValue(socket) is "")
            {
                result.AddError("--socket needs a path");
            }
        });
        command.SetAction((result, _) => result.GetValue(handoffFd) is { } handoff ? ConfinedServeCommand.RunAsync(handoff) : RunAsync(
            rawArguments,
            result.GetValue(bundle)!,
            result.GetValue(socket),
            result.GetValue(listenFd),
            result.GetValue(readyFd) is { } fd ? new ReadyNotifier(fd) : null,
            result.GetValue(lifelineFd),
            result.GetValue(logLevel)));
        return command;
    }

    /// <summary>
    /// Images 1 and 2 of `gofer serve`. Image 1 (as started) enters fresh namespaces and execs
    /// itself; image 2 does everything that needs privilege — reads the bundle, binds the socket,
    /// stages the layers and the files an exec needs, pivots, starts the socket keeper — and
    /// execs image 3, the serving one (<see cref="ConfinedServeCommand"/>), with only the
    /// capabilities file service needs, in every one of its threads.
    /// </summary>
    private static async Task<int> RunAsync(IReadOnlyList<string> rawArguments, string bundle, string? socketPath, int? listenFd, ReadyNotifier? ready, int? lifelineFd, LogLevel level)
    {
        // Each step names itself, so that a failure says what the gofer was doing when it failed.
        var step = "entering private namespaces";
        try
        {
            if (!PrivateMountNamespace.IsEntered())
            {
                PrivateMountNamespace.ReexecInside(rawArguments);
            }

            step = "reading the bundle";
            using var loaded = BundleLoader.Load(bundle, new UpperFilesystemProbe());
            if (!loaded.CanServe)
            {
                foreach (var problem in loaded.Problems)
                {
                    await Console.Error.WriteLineAsync($"gofer: {problem}").ConfigureAwait(false);
                }

                return ExitCodes.SpecRefused;
            }

            var plan = loaded.Plan!;
            using var loggers = LoggerFactory.Create(b => ConsoleLogging.Configure(b, level));
            step = listenFd is { } fd ? $"adopting --listen-fd {fd}" : "binding the socket";
            using var listener = listenFd is { } adopted ? UnixListener.Adopt(adopted) : UnixListener.Bind(socketPath!);
            step = "finding the files the serving image starts from";
            var startFiles = StartFiles.OfThisProcess();
            step = "staging the layers";
            StagingRoot.Enter(plan, loaded.Sources, loggers.CreateLogger("Gofer.Staging"), startFiles);
            var binary = startFiles.Executable.Target;
            step = "starting the socket keeper";
            using var keeper = listener.ReleaseFile() is { } file ? SocketKeeper.Start(file, binary) : null;
            step = "executing the confined serving image";
            var handoff = new ImageHandoff(plan, level, (int)listener.Socket.Handle, ready?.Fd, lifelineFd, keeper?.Fd);
            ServingImage.Exec(binary, rawArguments, handoff, ServingCapabilities.For(plan));
            return ExitCodes.Failure;
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
