using Gofer.Server.Tests;

namespace Gofer.Mount.Tests;

/// <summary>
/// A runtime directory of a test's own, given to `gofer mount` as $XDG_RUNTIME_DIR, so that the
/// bundles it makes (and leaves, if any) are this test's alone to see — /run is shared.
/// </summary>
public sealed class RuntimeDirectoryForTest : IDisposable
{
    private readonly TempDirectory directory = new("gofer-runtime-");

    public string Path => directory.Path;

    /// <summary>The bundle directories in it.</summary>
    public IReadOnlyList<string> Bundles => Directory.GetDirectories(Path, "gofer-mount.*");

    /// <summary>The inode number of this process's pid namespace, as bundle names carry it.</summary>
    public static string PidNamespace => new string([.. (new FileInfo("/proc/self/ns/pid").LinkTarget ?? "").Where(char.IsAsciiDigit)]);

    /// <summary>The command line that runs <paramref name="arguments"/> with this directory as XDG_RUNTIME_DIR.</summary>
    public string[] With(params string[] arguments) => ["env", $"XDG_RUNTIME_DIR={Path}", .. arguments];

    public void Dispose() => directory.Dispose();
}
