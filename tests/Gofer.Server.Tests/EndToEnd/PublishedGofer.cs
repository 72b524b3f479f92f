namespace Gofer.Server.Tests.EndToEnd;

/// <summary>
/// The NativeAOT `gofer` binary, published once per test run from this checkout (incrementally,
/// so a warm run costs seconds): end-to-end tests must exercise what ships, since only the
/// published binary can live in a pivoted root.
/// </summary>
public sealed class PublishedGofer
{
    public PublishedGofer()
    {
        var output = Path.Combine(Repository, "artifacts", "test-gofer");
        Tool.Check("dotnet", "publish", Path.Combine(Repository, "src", "Gofer"), "-c", "Release", "-o", output, "--nologo", "-v", "quiet");
        Binary = Path.Combine(output, "gofer");
    }

    public string Binary { get; }

    /// <summary>The checkout these tests were built from.</summary>
    public static string Repository { get; } = FindRepository();

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gofer.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Gofer.sln not found above " + AppContext.BaseDirectory);
    }
}
