using System.Globalization;
using Gofer.Native;
using Gofer.Sentry.Launch;
using Gofer.Server.Tests.EndToEnd;

namespace Gofer.Mount.Tests;

/// <summary>
/// `gofer mount` killed with SIGKILL, in the background form (as mount(8) runs it) and in the
/// foreground: its gofer ends and its bundle is gone. The dead mount stays, as fuse-overlayfs
/// leaves its own; the test unmounts it.
/// </summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class KilledMountTests(PublishedGofer gofer)
{
    private const int Sigkill = 9;

    [Fact]
    public void Kill_9_of_a_background_mount_ends_its_gofer_and_leaves_no_bundle()
    {
        using var layers = new OverlayLayers();
        using var runtime = new RuntimeDirectoryForTest();
        var commandLine = runtime.With(gofer.Binary, "mount", layers.MountPoint, "-o", layers.Options);
        Server.Tests.Tool.Check(commandLine[0], commandLine[1..]);

        KillAndCheck(layers, runtime);
    }

    [Fact]
    public async Task Kill_9_of_a_foreground_mount_ends_its_gofer_and_leaves_no_bundle()
    {
        using var layers = new OverlayLayers();
        using var runtime = new RuntimeDirectoryForTest();

        // -f: the mount is this test's own child; its --ready-fd says when it is mounted.
        var child = await ReadyChild.StartAsync("env", [$"XDG_RUNTIME_DIR={runtime.Path}", gofer.Binary, "mount", "-f", layers.MountPoint, "-o", layers.Options]);
        using var process = child.Process;
        Assert.True(child.Ready, child.Ready ? "" : await child.Stderr);
        Assert.Equal(process.Id, MountProcesses.Find(layers.MountPoint)[0]);

        KillAndCheck(layers, runtime);
        await process.WaitForExitAsync();
    }

    private static void KillAndCheck(OverlayLayers layers, RuntimeDirectoryForTest runtime)
    {
        var processes = MountProcesses.Find(layers.MountPoint);
        Assert.Equal(2, processes.Count);
        Assert.True(layers.IsMounted);

        ErrnoException.ThrowIfError(Syscalls.Kill(processes[0], Sigkill), "kill", processes[0].ToString(CultureInfo.InvariantCulture));

        Assert.True(MountProcesses.WaitGone(processes), "the gofer outlived its killed mount");
        Assert.Empty(runtime.Bundles);
    }
}
