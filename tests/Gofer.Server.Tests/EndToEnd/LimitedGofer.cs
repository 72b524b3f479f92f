namespace Gofer.Server.Tests.EndToEnd;

/// <summary>
/// The published gofer started under a descriptor limit of the test's choosing: a two-line
/// script that execs it through prlimit(1), so the limit is the gofer's alone (the test process
/// keeps its own) and the readiness descriptor passes through the exec unchanged.
/// </summary>
public static class LimitedGofer
{
    /// <summary>Writes the script into <paramref name="directory"/> and returns its path, to start in place of the binary.</summary>
    public static string Script(string binary, TempDirectory directory, int soft, int hard)
    {
        var script = directory.Combine($"gofer-nofile-{soft}-{hard}");
        File.WriteAllText(script, $"#!/bin/sh\nexec prlimit --nofile={soft}:{hard} '{binary}' \"$@\"\n");
        Tool.Check("chmod", "0500", script);
        return script;
    }
}
