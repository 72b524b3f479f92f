namespace Gofer.Fuzzing;

/// <summary>The descriptors this process holds, as /proc/self/fd lists them.</summary>
public static class OpenDescriptors
{
    /// <summary>
    /// Descriptors open now, less those on the runtime's own files (an assembly or native library
    /// the runtime loads on first use stays open for the life of the process).
    /// </summary>
    public static int Count() =>
        new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos().Count(fd => !IsRuntimeFile(fd.LinkTarget));

    private static bool IsRuntimeFile(string? target) =>
        target is not null && (target.EndsWith(".dll", StringComparison.Ordinal) || target.EndsWith(".so", StringComparison.Ordinal) || target.Contains(".so.", StringComparison.Ordinal));

    /// <summary>
    /// Waits until the count is at most <paramref name="baseline"/>, or throws
    /// <see cref="FindingKind.LeakedDescriptor"/> at <paramref name="deadline"/>. Waiting is needed
    /// where the release is another thread's work (the gofer notices a closed connection
    /// asynchronously); a descriptor closed only by a finalizer counts as leaked, since an
    /// attacker can open them faster than the collector runs.
    /// </summary>
    public static void Settle(int baseline, TimeSpan deadline, string what)
    {
        var until = DateTime.UtcNow + deadline;
        var now = Count();
        while (now > baseline)
        {
            if (DateTime.UtcNow > until)
            {
                throw new FindingException(FindingKind.LeakedDescriptor, $"{what}: {now - baseline} descriptor(s) still open after the session ended ({Listing()})");
            }

            Thread.Sleep(5);
            now = Count();
        }
    }

    private static string Listing() =>
        string.Join(", ", new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos().Select(f => $"{f.Name}→{f.LinkTarget}").TakeLast(8));
}
