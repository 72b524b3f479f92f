using System.Diagnostics;

namespace Gofer.Sentry.Tests.Crash;

/// <summary>
/// A child process given its whole script on stdin, whose answers are read one line at a time as
/// they come: a test can act between two answers (kill the gofer the child talks to) and then
/// collect the rest. <see cref="Differential.ScriptProcess"/> is the one to use when the answers
/// are wanted only once the child has exited.
/// </summary>
public sealed class LiveScriptProcess : IDisposable
{
    private readonly Process process;
    private readonly Task<string> stderr;

    private LiveScriptProcess(Process process)
    {
        this.process = process;
        stderr = process.StandardError.ReadToEndAsync();
    }

    public static LiveScriptProcess Start(string program, IEnumerable<string> arguments, IEnumerable<string> lines)
    {
        var process = Process.Start(new ProcessStartInfo(program, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"could not start {program}");
        var started = new LiveScriptProcess(process);

        // A script is a few kilobytes: it fits in the pipe whatever the child does first.
        foreach (var line in lines)
        {
            process.StandardInput.WriteLine(line);
        }

        process.StandardInput.Close();
        return started;
    }

    /// <summary>The next answer, or null once the child closed its stdout.</summary>
    public Task<string?> ReadLineAsync() => process.StandardOutput.ReadLineAsync();

    /// <summary>The answers not read yet, the exit status and stderr, once the child has exited.</summary>
    public async Task<(int ExitCode, IReadOnlyList<string> Remaining, string Stderr)> FinishAsync()
    {
        var rest = new List<string>();
        while (await ReadLineAsync() is { } line)
        {
            rest.Add(line);
        }

        await process.WaitForExitAsync();
        return (process.ExitCode, rest, await stderr);
    }

    public void Dispose()
    {
        // A test that failed between two answers must not leave its child behind.
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit();
        }

        process.Dispose();
    }
}
