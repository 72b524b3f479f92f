using System.Diagnostics;
using Gofer.Sentry.Connection;

namespace Gofer.Server.Tests.EndToEnd;

/// <summary>
/// `gofer serve` running as a child process, started the way a runtime would: its readiness is
/// awaited on --ready-fd (a FIFO here), never by polling or sleeping.
/// </summary>
public sealed class GoferProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly Task<string> stderr;

    private GoferProcess(Process process, Task<string> stderr, string socketPath)
    {
        this.process = process;
        this.stderr = stderr;
        SocketPath = socketPath;
    }

    public int Pid => process.Id;

    public string SocketPath { get; }

    public bool HasExited => process.HasExited;

    /// <summary>Starts `gofer serve` on a bundle and waits for its ready byte (or its exit).</summary>
    public static async Task<GoferProcess> StartAsync(string binary, string bundle, string socketPath)
    {
        var fifo = socketPath + ".ready";
        Tool.Check("mkfifo", fifo);
        var process = Process.Start(new ProcessStartInfo("bash", ["-c", "exec \"$0\" serve --bundle \"$1\" --socket \"$2\" --ready-fd 3 --log-level Debug 3>\"$3\"", binary, bundle, socketPath, fifo])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var stderr = process.StandardError.ReadToEndAsync();
        var gofer = new GoferProcess(process, stderr, socketPath);

        // The FIFO's writer is the gofer's fd 3: one byte arrives when it serves, end-of-file
        // (zero bytes) when it exits without serving.
        await using var ready = new FileStream(fifo, FileMode.Open, FileAccess.Read);
        var buffer = new byte[1];
        var readTask = ready.ReadAsync(buffer).AsTask();
        var done = await Task.WhenAny(readTask, process.WaitForExitAsync());
        if (done != readTask || await readTask != 1)
        {
            await process.WaitForExitAsync();
            throw new InvalidOperationException($"gofer exited with {process.ExitCode} before it was ready:\n{await stderr}");
        }

        return gofer;
    }

    public Protocol.V1.FileService.FileServiceClient Connect() => new(GoferChannel.ForUnixSocket(SocketPath));

    /// <summary>Sends SIGTERM and returns the exit code and everything written to stderr.</summary>
    public async Task<(int ExitCode, string Stderr)> TerminateAsync()
    {
        Assert.Equal(0, Tmds.Linux.LibC.kill(process.Id, Tmds.Linux.LibC.SIGTERM));
        await process.WaitForExitAsync();
        return (process.ExitCode, await stderr);
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
