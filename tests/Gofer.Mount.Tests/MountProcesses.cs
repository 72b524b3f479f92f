namespace Gofer.Mount.Tests;

/// <summary>The processes behind one `gofer mount`: the one serving the mount point and the gofer it started.</summary>
public static class MountProcesses
{
    /// <summary>Pids whose command line names <paramref name="mountPoint"/>, and their children.</summary>
    public static IReadOnlyList<int> Find(string mountPoint)
    {
        var all = Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Select(n => int.TryParse(n, out var pid) ? pid : 0).Where(p => p > 0).ToList();
        var serving = all.Where(p => CommandLine(p).Contains(mountPoint, StringComparer.Ordinal) && CommandLine(p).Contains("mount", StringComparer.Ordinal)).ToList();
        return [.. serving, .. all.Where(p => serving.Contains(ParentOf(p)))];
    }

    /// <summary>Waits (at most 10 s) until none of <paramref name="pids"/> is alive; true if so.</summary>
    public static bool WaitGone(IReadOnlyList<int> pids)
    {
        for (var i = 0; i < 200; i++)
        {
            if (pids.All(p => !IsAlive(p)))
            {
                return true;
            }

            Thread.Sleep(50);
        }

        return false;
    }

    private static bool IsAlive(int pid)
    {
        // A zombie has exited; only its parent's wait is missing.
        var stat = Read($"/proc/{pid}/stat");
        return stat.Length > 0 && stat[(stat.LastIndexOf(')') + 2)] != 'Z';
    }

    private static string[] CommandLine(int pid) => Read($"/proc/{pid}/cmdline").Split('\0');

    private static int ParentOf(int pid)
    {
        var stat = Read($"/proc/{pid}/stat");
        return stat.Length == 0 ? 0 : int.Parse(stat[(stat.LastIndexOf(')') + 4)..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }
}
