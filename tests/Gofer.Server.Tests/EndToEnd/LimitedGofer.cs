using Gofer.Sentry.Launch;

namespace Gofer.Server.Tests.EndToEnd;

/// <summary>
/// The published gofer started under a descriptor limit of the test's choosing: a two-line
/// script that execs it through prlimit(1), so the limit is the gofer's alone (the test process
/// keeps its own) and the readiness descriptor passes through the exec unchanged.
/// </summary>
public static class LimitedGofer
{
    /// <summary>Starts the gofer on <paramref name="bundle"/> under the limit, its socket in the bundle's directory.</summary>
    public static Task<GoferServerProcess> StartAsync(string binary, OverlayBundle bundle, int soft, int hard)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        return GoferServerProcess.StartAsync(Script(binary, bundle.Directory, soft, hard), bundle.Path, bundle.Directory.Combine("gofer.sock"));
    }

    /// <summary>Writes the script into <paramref name="directory"/> and returns its path, to start in place of the binary.</summary>
    public static string Script(string binary, TempDirectory directory, int soft, int hard)
    {
        var script = directory.Combine($"gofer-nofile-{soft}-{hard}");
        File.WriteAllText(script, $"#!/bin/sh\nexec prlimit --nofile={soft}:{hard} '{binary}' \"$@\"\n");
        Tool.Check("chmod", "0500", script);
        return script;
    }
}
