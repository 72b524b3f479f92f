using System.Globalization;

namespace Gofer.Server.Tests.EndToEnd;

/// <summary>The privilege lines of one thread's /proc status: its capability sets, no_new_privs and seccomp mode.</summary>
public sealed record ThreadPrivileges(int Tid, ulong Inheritable, ulong Permitted, ulong Effective, ulong Bounding, ulong Ambient, int NoNewPrivs, int Seccomp)
{
    /// <summary>Every thread of process <paramref name="pid"/> (its /proc/PID/task/*/status).</summary>
    public static IReadOnlyList<ThreadPrivileges> OfEveryThread(int pid) =>
        [.. Directory.GetDirectories($"/proc/{pid}/task").Select(task => Read(int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture), File.ReadAllLines(Path.Combine(task, "status"))))];

    /// <summary>The status of process <paramref name="pid"/> itself (its main thread).</summary>
    public static ThreadPrivileges Of(int pid) => Read(pid, File.ReadAllLines($"/proc/{pid}/status"));

    /// <summary>The lines as /proc shows them, for a failure message or a report.</summary>
    public static string Lines(int pid) =>
        string.Join('\n', File.ReadAllLines($"/proc/{pid}/status").Where(l => l.StartsWith("Cap", StringComparison.Ordinal) || l.StartsWith("NoNewPrivs", StringComparison.Ordinal) || l.StartsWith("Seccomp:", StringComparison.Ordinal)));

    private static ThreadPrivileges Read(int tid, string[] lines)
    {
        var fields = lines.Select(l => l.Split(':', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1].Trim());
        ulong Mask(string name) => ulong.Parse(fields[name], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return new ThreadPrivileges(
            tid,
            Mask("CapInh"),
            Mask("CapPrm"),
            Mask("CapEff"),
            Mask("CapBnd"),
            Mask("CapAmb"),
            int.Parse(fields["NoNewPrivs"], CultureInfo.InvariantCulture),
            int.Parse(fields["Seccomp"], CultureInfo.InvariantCulture));
    }
}
