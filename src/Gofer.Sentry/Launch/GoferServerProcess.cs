using System.Diagnostics;
using System.Globalization;
using Gofer.Native;
using Gofer.Sentry.Connection;
using Grpc.Net.Client;

namespace Gofer.Sentry.Launch;

/// <summary>
/// A `gofer serve` child process, started the way a runtime starts one: readiness arrives as one
/// byte on a pipe passed with --ready-fd, so nobody polls the socket or sleeps. The gofer does not
/// outlive this object's process: it is handed the read end of a lifeline pipe (--lifeline-fd)
/// whose only write end this object holds, and stops when that end closes — at dispose, or when
/// this process dies by any signal, kill -9 included, since the kernel closes a dead process's
/// descriptors.
/// </summary>
/// <remarks>
/// Not PR_SET_PDEATHSIG: it fires when the *thread* that forked the child exits, and .NET forks on
/// whichever thread calls Process.Start — often a pool thread, which retires after idling — so the
/// gofer would be killed at a random time while its parent lives. A pipe's end belongs to the
/// process, and there is no start-up race to close: a lifeline already cut is seen at once.
/// </remarks>
public sealed class GoferServerProcess : IAsyncDisposable
{
    /// <summary>SIGTERM: the gofer's graceful stop.</summary>
    public const int Sigterm = 15;

    private readonly Process process;
    private readonly Task<string> stderr;
    private readonly FileDescriptor lifeline;

    private GoferServerProcess(Process process, Task<string> stderr, string socketPath, FileDescriptor lifeline)
    {
        this.process = process;
        this.stderr = stderr;
        this.lifeline = lifeline;
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
    /// <exception cref="GoferStartException">The gofer exited before serving; it holds the status and stderr.</exception>
    public static async Task<GoferServerProcess> StartAsync(string binary, string bundle, string socketPath, int? listenFd = null, IReadOnlyList<string>? extraArguments = null)
    {
        string[] listen = listenFd is { } l ? ["--listen-fd", l.ToString(CultureInfo.InvariantCulture)] : ["--socket", socketPath];
        var (lifelineEnd, lifeline) = Syscalls.Pipe();
        ReadyChild child;
        try
        {
            string[] tied = ["--lifeline-fd", lifelineEnd.Fd.ToString(CultureInfo.InvariantCulture)];
            child = await ReadyChild.StartAsync(binary, ["serve", "--bundle", bundle, .. listen, .. tied, .. extraArguments ?? []], [lifelineEnd]).ConfigureAwait(false);
        }
        catch
        {
            lifelineEnd.Dispose();
            lifeline.Dispose();
            throw;
        }

        if (!child.Ready)
        {
            lifeline.Dispose();
            await child.Process.WaitForExitAsync().ConfigureAwait(false);
            var failure = new GoferStartException(child.Process.ExitCode, await child.Stderr.ConfigureAwait(false));
            child.Process.Dispose();
            throw failure;
        }

        return new GoferServerProcess(child.Process, child.Stderr, socketPath, lifeline);
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
        lifeline.Dispose();
    }
}
