using System.Diagnostics;
using System.Globalization;
using Gofer.Native;
using Gofer.Sentry.Connection;
using Grpc.Net.Client;

namespace Gofer.Sentry.Launch;

/// <summary>
/// A `gofer serve` child process, started the way a runtime starts one: readiness arrives as one
/// byte on a pipe passed with --ready-fd, so nobody polls the socket or sleeps.
/// </summary>
public sealed class GoferServerProcess : IAsyncDisposable
{
    /// <summary>SIGTERM: the gofer's graceful stop.</summary>
    public const int Sigterm = 15;

    private readonly Process process;
    private readonly Task<string> stderr;

    private GoferServerProcess(Process process, Task<string> stderr, string socketPath)
    {
        this.process = process;
        this.stderr = stderr;
        SocketPath = socketPath;
    }

    public int Pid => process.Id;

    public string SocketPath { get; }

    /// <summary>
    /// Starts `BINARY serve --bundle B --socket S --ready-fd N` and waits until it serves. With
    /// <paramref name="listenFd"/>, the gofer is handed that listening socket (which must be bound
    /// at <paramref name="socketPath"/> and inheritable) instead of creating one;
    /// <paramref name="extraArguments"/> are appended (e.g. --log-level).
    /// </summary>
    /// <exception cref="InvalidOperationException">The gofer exited before serving; the message holds its stderr.</exception>
    public static async Task<GoferServerProcess> StartAsync(string binary, string bundle, string socketPath, int? listenFd = null, IReadOnlyList<string>? extraArguments = null)
    {
        string[] listen = listenFd is { } l ? ["--listen-fd", l.ToString(CultureInfo.InvariantCulture)] : ["--socket", socketPath];
        var child = await ReadyChild.StartAsync(binary, ["serve", "--bundle", bundle, .. listen, .. extraArguments ?? []]).ConfigureAwait(false);
        if (!child.Ready)
        {
            await child.Process.WaitForExitAsync().ConfigureAwait(false);
            var message = $"gofer exited with status {child.Process.ExitCode} before serving:\n{await child.Stderr.ConfigureAwait(false)}";
            child.Process.Dispose();
            throw new InvalidOperationException(message);
        }

        return new GoferServerProcess(child.Process, child.Stderr, socketPath);
    }

    /// <summary>Completes when the gofer exits, whatever ended it.</summary>
    public Task WaitForExitAsync() => process.WaitForExitAsync();

    /// <summary>A new channel (its own connection) to the gofer.</summary>
    public GrpcChannel Connect() => GoferChannel.ForUnixSocket(SocketPath);

    /// <summary>Sends SIGTERM (unless it already exited), waits for the exit, and returns its status and the gofer's stderr.</summary>
    public async Task<(int ExitCode, string Stderr)> TerminateAsync()
    {
        if (!process.HasExited)
        {
            ErrnoException.ThrowIfError(Syscalls.Kill(process.Id, Sigterm), "kill");
        }

        await process.WaitForExitAsync().ConfigureAwait(false);
        return (process.ExitCode, await stderr.ConfigureAwait(false));
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync().ConfigureAwait(false);
        }

        process.Dispose();
    }
}
