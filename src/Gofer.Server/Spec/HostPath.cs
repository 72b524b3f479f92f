namespace Gofer.Server.Spec;

/// <summary>Lexical handling of paths taken from a spec. Nothing here touches the filesystem.</summary>
internal static class HostPath
{
    /// <summary>Why <paramref name="path"/> cannot name a file at all, or null when it can.</summary>
    public static string? Defect(string path) =>
        path.Length == 0 ? "is empty"
        // A NUL ends the string the kernel sees: the mount would silently use a shorter path.
        : path.Contains('\0', StringComparison.Ordinal) ? "contains a NUL character"
        : null;

    /// <summary>
    /// Makes <paramref name="path"/> absolute against <paramref name="baseDirectory"/> and removes
    /// empty, <c>.</c> and <c>..</c> components, as <see cref="Path.GetFullPath(string, string)"/> does.
    /// </summary>
    /// <remarks>
    /// <c>..</c> is removed lexically, so <c>/a/link/../b</c> becomes <c>/a/b</c> even when the kernel
    /// would have gone to the parent of the link's target. That keeps a plan stable and printable
    /// without looking at the disk; the gofer stages what the path the plan shows leads to when
    /// <see cref="SourceOpener"/> opens it, and <see cref="SpecValidator"/> judges containment on
    /// those opened directories, so the difference can change which directory is served but never
    /// lets one layer hide inside another.
    /// </remarks>
    public static string Resolve(string path, string baseDirectory)
    {
        var full = path.StartsWith('/') ? path : $"{baseDirectory}/{path}";
        var parts = new List<string>();
        foreach (var part in full.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            switch (part)
            {
                case ".":
                    break;
                case "..":
                    // ".." of "/" is "/" itself, as in path resolution.
                    if (parts.Count > 0)
                    {
                        parts.RemoveAt(parts.Count - 1);
                    }

                    break;
                default:
                    parts.Add(part);
                    break;
            }
        }

        return "/" + string.Join('/', parts);
    }

    /// <summary>Whether any component of <paramref name="path"/> is <c>..</c>.</summary>
    public static bool HasParentComponent(string path) => path.Split('/').Contains("..");
}
