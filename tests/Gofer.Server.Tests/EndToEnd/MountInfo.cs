namespace Gofer.Server.Tests.EndToEnd;

/// <summary>One line of /proc/PID/mountinfo: where a mount is, what of its filesystem it shows, and its options.</summary>
public sealed record MountInfo(string Root, string MountPoint, IReadOnlySet<string> Options, string FilesystemType)
{
    public static IReadOnlyList<MountInfo> Read(int pid) => Parse(File.ReadAllLines($"/proc/{pid}/mountinfo"));

    public static IReadOnlyList<MountInfo> Parse(IEnumerable<string> lines) =>
        lines.Select(line =>
        {
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            return new MountInfo(Unescape(fields[3]), Unescape(fields[4]), fields[5].Split(',').ToHashSet(), fields[separator + 1]);
        }).ToList();

    /// <summary>mountinfo escapes space, tab, newline and backslash as octal.</summary>
    private static string Unescape(string field) =>
        field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
             .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);
}
