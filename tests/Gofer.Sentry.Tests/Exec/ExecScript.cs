using System.Text;
using Gofer.Sentry.Exec;
using Gofer.Sentry.FileSystem;

namespace Gofer.Sentry.Tests.Exec;

/// <summary>Runs the exec engine in process on request lines and returns its output.</summary>
public static class ExecScript
{
    public static string Run(IFileSystem fileSystem, params string[] lines)
    {
        using var output = new MemoryStream();
        new ExecEngine(fileSystem).Run(new StringReader(string.Join('\n', lines)), output);
        return Encoding.UTF8.GetString(output.ToArray());
    }
}
