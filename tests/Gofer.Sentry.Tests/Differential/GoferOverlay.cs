using System.Text.Json.Nodes;
using Gofer.Sentry.Launch;
using Gofer.Server.Tests;

namespace Gofer.Sentry.Tests.Differential;

/// <summary>
/// The side under test: a bundle whose only overlay mount has the <see cref="LayerSet"/>'s layers,
/// served by `gofer serve` (started as a runtime starts it), and `gofer exec` composing the
/// overlay from the layers through the gofer.
/// </summary>
public static class GoferOverlay
{
    /// <summary>Where the overlay is mounted in the bundle's spec.</summary>
    public const string Destination = "/data";

    /// <exception cref="InvalidOperationException">The gofer did not start, or did not stop cleanly on SIGTERM.</exception>
    public static async Task<ExecOutput> RunAsync(string binary, LayerSet layers, string input)
    {
        using var bundle = new TempDirectory("gofer-diff-bundle-");
        WriteBundle(bundle.Path, layers);
        var socket = bundle.Combine("gofer.sock");
        await using var gofer = await GoferServerProcess.StartAsync(binary, bundle.Path, socket);
        var output = await ScriptProcess.RunAsync([binary, "exec", "--socket", socket, "--mount", Destination], input);
        var (exit, stderr) = await gofer.TerminateAsync();
        return exit == 0
            ? output
            : throw new InvalidOperationException($"gofer serve exited {exit} on SIGTERM:\n{stderr}\nwhile {output.Describe()}");
    }

    /// <summary>
    /// Writes config.json into <paramref name="directory"/>: an empty read-only rootfs and one
    /// overlay mount at <see cref="Destination"/> with the layers' option string.
    /// </summary>
    public static void WriteBundle(string directory, LayerSet layers)
    {
        Directory.CreateDirectory(Path.Combine(directory, "rootfs"));
        var config = new JsonObject
        {
            ["ociVersion"] = "1.0.2",
            ["root"] = new JsonObject { ["path"] = "rootfs", ["readonly"] = true },
            ["mounts"] = new JsonArray(new JsonObject
            {
                ["destination"] = Destination,
                ["type"] = "overlay",
                ["source"] = "overlay",
                ["options"] = new JsonArray(layers.Options),
            }),
        };
        File.WriteAllText(Path.Combine(directory, "config.json"), config.ToJsonString());
    }
}
