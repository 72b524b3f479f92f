using System.Text.Json.Nodes;

namespace Gofer.Server.Tests.EndToEnd;

/// <summary>
/// A bundle on disk: a rootfs, an overlay mount whose lowerdir has an escaped colon and a relative
/// path, an upper and a work directory, and a read-only bind mount, each with a marker file.
/// </summary>
public sealed class OverlayBundle : IDisposable
{
    public OverlayBundle()
    {
        Directory = new TempDirectory("gofer-bundle-");
        File.WriteAllText(System.IO.Path.Combine(Directory.Make("rootfs", "etc"), "hostname"), "container\n");
        File.WriteAllText(System.IO.Path.Combine(Directory.Make("layers", "top:colon"), "top.txt"), "top\n");
        File.WriteAllText(System.IO.Path.Combine(Directory.Make("layers", "base", "dir"), "base.txt"), "base\n");
        Directory.Make("layers", "upper");
        Directory.Make("layers", "work");
        File.WriteAllText(System.IO.Path.Combine(Directory.Make("shared"), "shared.txt"), "shared\n");
        Write(DefaultOptions);
    }

    public const string DefaultOptions = @"lowerdir=layers/top\:colon:layers/base,upperdir=layers/upper,workdir=layers/work";

    public TempDirectory Directory { get; }

    public string Path => Directory.Path;

    public string Upper => Directory.Combine("layers", "upper");

    /// <summary>Writes config.json with the overlay's option string as given.</summary>
    public void Write(string overlayOptions)
    {
        var config = new JsonObject
        {
            ["ociVersion"] = "1.0.2",
            ["root"] = new JsonObject { ["path"] = "rootfs", ["readonly"] = true },
            ["mounts"] = new JsonArray(
                new JsonObject { ["destination"] = "/proc", ["type"] = "proc", ["source"] = "proc" },
                new JsonObject
                {
                    ["destination"] = "/data",
                    ["type"] = "overlay",
                    ["source"] = "overlay",
                    ["options"] = new JsonArray(overlayOptions),
                },
                new JsonObject
                {
                    ["destination"] = "/shared",
                    ["type"] = "bind",
                    ["source"] = Directory.Combine("shared"),
                    ["options"] = new JsonArray("rbind", "ro"),
                }),
        };
        File.WriteAllText(Directory.Combine("config.json"), config.ToJsonString());
    }

    public void Dispose() => Directory.Dispose();
}
