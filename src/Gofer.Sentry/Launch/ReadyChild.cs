using System.Diagnostics;
using System.Globalization;
using Gofer.Native;
using Microsoft.Win32.SafeHandles;

namespace Gofer.Sentry.Launch;

/// <summary>
/// A child that reports readiness by writing one byte to the descriptor its <c>--ready-fd N</c>
/// argument names (as <c>gofer serve</c> and <c>gofer mount</c> do), started and waited for: no
/// polling, no sleeping. Its standard streams are pipes, drained here; stderr is kept.
/// </summary>
public sealed class ReadyChild
{
    private ReadyChild(Process process, Task<string> stderr, bool ready)
    {
        Process = process;
        Stderr = stderr;
        Ready = ready;
    }

    public Process Process { get; }

    /// <summary>Everything the child writes to stderr, complete once it exits.</summary>
    public Task<string> Stderr { get; }

    /// <summary>True once the byte came; false when the child exited (or closed the descriptor) first.</summary>
    public bool Ready { get; }

    /// <summary>
    /// Starts <c>BINARY ARGUMENTS… --ready-fd N</c> and waits for its byte or its end.
    /// <paramref name="handedOver"/> are descriptors the child inherits by number (which the
    /// arguments name); this process's copies are closed once the child started.
    /// </summary>
    public static async Task<ReadyChild> StartAsync(string binary, IReadOnlyList<string> arguments, IReadOnlyList<FileDescriptor>? handedOver = null)
    {
        var (readEnd, writeEnd) = Syscalls.Pipe();
        using var ready = readEnd;
        Process process;
        using (writeEnd)
        {
            // Only the write end's number crosses the exec; the parent's copy is closed right
            // after, so end-of-file on the read end means the child exited without being ready.
            ErrnoException.ThrowIfError(Syscalls.Inherit(writeEnd.Fd), "fcntl(F_SETFD)");
            foreach (var descriptor in handedOver ?? [])
            {
                ErrnoException.ThrowIfError(Syscalls.Inherit(descriptor.Fd), "fcntl(F_SETFD)");
            }

            var fd = writeEnd.Fd.ToString(CultureInfo.InvariantCulture);
            process = Process.Start(new ProcessStartInfo(binary, [.. arguments, "--ready-fd", fd])
            {
                // Pipes, not this process's descriptors: whoever captures this process's output
                // waits for end-of-file, which must not wait for the child too.
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            }) ?? throw new InvalidOperationException($"could not start {binary}");
            foreach (var descriptor in handedOver ?? [])
            {
                descriptor.Dispose();
            }
        }

        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        using var stream = new FileStream(new SafeFileHandle(ready.DangerousGetHandle(), ownsHandle: false), FileAccess.Read, 1);
        var buffer = new byte[1];
        return new ReadyChild(process, stderr, await stream.ReadAsync(buffer).ConfigureAwait(false) == 1);
    }
}
