using System.Globalization;

namespace Gofer.Server.Tests.EndToEnd;

/// <summary>A process's resource limits as /proc/PID/limits shows them.</summary>
public static class ProcessLimits
{
    /// <summary>RLIMIT_NOFILE: (soft, hard).</summary>
    public static (int Soft, int Hard) OpenFiles(int pid)
    {
        var fields = File.ReadAllLines($"/proc/{pid}/limits")
            .Single(l => l.StartsWith("Max open files", StringComparison.Ordinal))["Max open files".Length..]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (int.Parse(fields[0], CultureInfo.InvariantCulture), int.Parse(fields[1], CultureInfo.InvariantCulture));
    }
}
