using System.CommandLine;
using Gofer.Server.Confinement;
using Gofer.Server.Hosting;
using Gofer.Server.Service;
using Gofer.Server.Spec;
using Gofer.Server.Staging;
using Microsoft.AspNetCore.Builder;
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
        var command = new Command("serve", "Stage every layer of the bundle's mounts in a private mount namespace and serve them over gRPC.")
        {
            bundle, socket, listenFd, readyFd, logLevel, lifelineFd,
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
        command.SetAction((result, _) => RunAsync(
            rawArguments,
            result.GetValue(bundle)!,
            result.GetValue(socket),
            result.GetValue(listenFd),
            result.GetValue(readyFd) is { } fd ? new ReadyNotifier(fd) : null,
            result.GetValue(lifelineFd),
            result.GetValue(logLevel)));
        return command;
    }

    private static async Task<int> RunAsync(IReadOnlyList<string> rawArguments, string bundle, string? socketPath, int? listenFd, ReadyNotifier? ready, int? lifelineFd, LogLevel level)
    {
        // Each step names itself, so that a failure says what the gofer was doing when it failed.
        var step = "entering a private mount namespace";
        try
        {
            if (!PrivateMountNamespace.IsEntered())
            {
                PrivateMountNamespace.ReexecInside(rawArguments);
            }

            if (lifelineFd is { } lifeline)
            {
                step = "watching the parent";
                ParentLifeline.Watch(lifeline);
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
            step = "staging the layers";
            StagingRoot.Enter(plan, loaded.Sources, loggers.CreateLogger("Gofer.Staging"));
            step = "opening the staged layers";
            using var mounts = ServedMounts.Open(plan, layer => layer.StagingPath);
            step = "confining system calls";
            SyscallFilter.Install();
            step = "serving";
            await using var app = GoferHost.Build(mounts, listener, level);
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
