using Gofer.Native;
using Gofer.Sentry.Host;
using Gofer.Sentry.Tests.Exec;
using Gofer.Server.Tests;

namespace Gofer.Sentry.Tests;

/// <summary>A fresh host directory, seen through <see cref="HostDirectoryFileSystem"/> as `gofer exec --dir` sees it.</summary>
public sealed class ScratchView : IDisposable
{
    public ScratchView()
    {
        // gofer exec runs with umask 0 and the tests assert modes exactly.
        Syscalls.Umask(0);
        Directory = new TempDirectory("gofer-exec-test-");
        FileSystem = HostDirectoryFileSystem.Open(Directory.Path);
    }

    public TempDirectory Directory { get; }

    public HostDirectoryFileSystem FileSystem { get; }

    /// <summary>The host path of a path in the view ("/a/b").</summary>
    public string Host(string path) => Directory.Path + path;

    /// <summary>The answers to the requests, as `gofer exec` writes them.</summary>
    public string Exec(params string[] requests) => ExecScript.Run(FileSystem, requests);

    /// <summary>The one answer to one request, without its newline.</summary>
    public string Answer(string request) => Exec(request).TrimEnd('\n');

    public void Dispose()
    {
        FileSystem.Dispose();
        Directory.Dispose();
    }
}
