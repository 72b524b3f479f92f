using System.Globalization;

namespace Gofer.Server.Tests.EndToEnd;

/// <summary>What /proc says of a running gofer: its memory and the CPU time it has used.</summary>
public static class GoferProcessState
{
    /// <summary>Resident memory (VmRSS) in MiB.</summary>
    public static double ResidentMiB(int pid) =>
        long.Parse(File.ReadAllLines($"/proc/{pid}/status")
            .Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))["VmRSS:".Length..]
            .Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture) / 1024.0;

    /// <summary>User plus system CPU time used so far, in seconds.</summary>
    public static double CpuSeconds(int pid)
    {
        // The command name (field 2) is parenthesised and may hold spaces: count fields after it.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / 100.0;
    }

    /// <summary>Descriptors the process holds now.</summary>
    public static int Descriptors(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;

    /// <summary>
    /// Sockets the process holds now: its listener and its connections. Counted apart from the
    /// rest because the runtime opens descriptors of its own lazily (a second socket engine's
    /// epoll, eventfds), which say nothing about whether connections were let go.
    /// </summary>
    public static int Sockets(int pid) =>
        new DirectoryInfo($"/proc/{pid}/fd").GetFiles().Count(f => f.LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true);
}
