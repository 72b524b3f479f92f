namespace Gofer.Server.Tests.EndToEnd;

/// <summary>
/// The NativeAOT `gofer` binary, published once per test run from this checkout (incrementally,
/// so a warm run costs seconds): end-to-end tests must exercise what ships, since only the
/// published binary can live in a pivoted root.
/// </summary>
public sealed class PublishedGofer
{
    public PublishedGofer() => Binary = Publish(Path.Combine("src", "Gofer"), "gofer");

    public string Binary { get; }

    /// <summary>
    /// Publishes the project in <paramref name="projectDirectory"/> (relative to the checkout) and
    /// returns the path of its executable <paramref name="executable"/>.
    /// </summary>
    public static string Publish(string projectDirectory, string executable)
    {
        var artifacts = Directory.CreateDirectory(Path.Combine(Repository, "artifacts")).FullName;
        // Each test project gets its own copy of the binary: a publish rewrites its output, and a
        // binary being written cannot be executed (ETXTBSY) by the other project's running tests.
        var output = Path.Combine(artifacts, "test-" + executable, System.Reflection.Assembly.GetExecutingAssembly().GetName().Name!);

        // Test projects that both use this fixture run at the same time under `dotnet test Gofer.sln`;
        // two publishes would build the same projects in the same obj/ directories, so they take
        // turns under one flock(1) lock (the one that waits then finds the build done).
        Tool.Check("flock", Path.Combine(artifacts, "test-publish.lock"), "dotnet", "publish", Path.Combine(Repository, projectDirectory), "-c", "Release", "-o", output, "--nologo", "-v", "quiet");
        return Path.Combine(output, executable);
    }

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
