using System.Security.Cryptography;
using System.Text;

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

        // Test projects run in parallel and more than one publishes the binary: one at a time per
        // checkout, so the later ones find it up to date instead of building over the same obj/ directories.
        var checkout = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Repository)))[..16];
        using var publishing = new Mutex(initiallyOwned: false, $@"Global\gofer-test-publish-{checkout}");
        try
        {
            publishing.WaitOne();
        }
        catch (AbandonedMutexException)
        {
            // A test run was killed while publishing; the mutex is ours now, and the publish below repairs its output.
        }

        try
        {
            Tool.Check("dotnet", "publish", Path.Combine(Repository, "src", "Gofer"), "-c", "Release", "-o", output, "--nologo", "-v", "quiet");
        }
        finally
        {
            publishing.ReleaseMutex();
        }

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
