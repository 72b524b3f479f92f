using Gofer.Server.Tests;
using Gofer.Server.Tests.EndToEnd;

namespace Gofer.Mount.Tests;

/// <summary>
/// A small overlay's directories: two lowers (a file in each, a directory merged from both, a
/// file to copy up), an empty upper and work directory, and a mount point. Each test has its own.
/// </summary>
public sealed class OverlayLayers : IDisposable
{
    public OverlayLayers(string prefix = "gofer-mount-test-")
    {
        Directory = new TempDirectory(prefix);
        var top = Directory.Make("lower", "top", "shared");
        var bottom = Directory.Make("lower", "bottom", "shared");
        File.WriteAllText(Path.Combine(top, "from-top"), "top\n");
        File.WriteAllText(Path.Combine(bottom, "from-bottom"), "bottom\n");
        File.WriteAllText(Directory.Combine("lower", "bottom", "lower-file"), "lower\n");
        Directory.Make("upper");
        Directory.Make("work");
        MountPoint = Directory.Make("mnt");
    }

    public TempDirectory Directory { get; }

    public string MountPoint { get; }

    public string Upper => Directory.Combine("upper");

    /// <summary>The overlay's option string for these layers, absolute paths.</summary>
    public string Options =>
        $"lowerdir={Directory.Combine("lower", "top")}:{Directory.Combine("lower", "bottom")},upperdir={Upper},workdir={Directory.Combine("work")}";

    public bool IsMounted => MountInfo.Read(Environment.ProcessId).Any(m => m.MountPoint == MountPoint);

    public void Dispose()
    {
        // Whatever a failed test left mounted must not stay: lazily, so a busy mount goes too.
        while (IsMounted)
        {
            Tool.Run("umount", "-l", MountPoint);
        }

        Directory.Dispose();
    }
}
