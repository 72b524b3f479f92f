namespace Gofer.Sentry.Tests.Differential;

/// <summary>What one run of an executor said: its answer lines, exit status and stderr.</summary>
/// <param name="Command">The command line, for reports.</param>
public sealed record ExecOutput(string Command, int ExitCode, IReadOnlyList<string> Lines, string Stderr)
{
    /// <summary>Exit status, stderr and the command, for a failure message.</summary>
    public string Describe() => $"`{Command}` exited {ExitCode}" + (Stderr.Length == 0 ? "" : $", stderr:\n{Stderr.TrimEnd()}");
}
