namespace Gofer.Server.Tests.EndToEnd;

/// <summary>What every failure a user sees must look like: one line on stderr, no stack frame, the documented status.</summary>
public static class OneLineFailure
{
    /// <summary>Checks a finished run; returns its one line. Every <paramref name="named"/> string must be in it.</summary>
    public static string Check((int ExitCode, string Stdout, string Stderr) run, int status, params string[] named)
    {
        ArgumentNullException.ThrowIfNull(named);
        var said = run.Stderr + run.Stdout;
        Assert.DoesNotContain("   at ", said, StringComparison.Ordinal);
        Assert.True(run.ExitCode == status, $"exit {run.ExitCode}, expected {status}: {said}");
        var line = Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("gofer", line, StringComparison.Ordinal);
        foreach (var name in named)
        {
            Assert.Contains(name, line, StringComparison.Ordinal);
        }

        return line;
    }
}
