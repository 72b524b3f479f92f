using System.Diagnostics;
using System.Globalization;
using Gofer.Server.Tests;
using Gofer.Server.Tests.EndToEnd;

namespace Gofer.Mount.Tests;

/// <summary>
/// `gofer mount` driven into its failures, as the published binary: each is one line naming the
/// step, the path and the errno, with status 3, and leaves no bundle, process or mount behind.
/// </summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class MountFailureTests(PublishedGofer gofer)
{
    private const int Failed = 3;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_missing_mount_point_is_named_with_ENOENT(bool foreground)
    {
        using var layers = new OverlayLayers();
        using var runtime = new RuntimeDirectoryForTest();
        var missing = layers.Directory.Combine("no-such-mount-point");
        string[] form = foreground ? ["-f"] : [];

        var run = Run(runtime.With([gofer.Binary, "mount", .. form, missing, "-o", layers.Options]));

        OneLineFailure.Check(run, Failed, "gofer mount:", $"mounting {missing}", "ENOENT");
        Assert.Empty(runtime.Bundles);
        Assert.Empty(MountProcesses.Find(missing));
    }

    [Fact]
    public void A_missing_dev_fuse_is_named_with_ENOENT()
    {
        using var layers = new OverlayLayers();
        using var runtime = new RuntimeDirectoryForTest();
        var stash = layers.Directory.Make("dev-stash");

        // In a mount namespace of its own: an empty /dev, but for the devices any program needs.
        var script = $"""
            set -e
            mount --bind /dev '{stash}'
            mount -t tmpfs gofer-test-dev /dev
            for name in null zero random urandom; do touch /dev/$name; mount --bind '{stash}'/$name /dev/$name; done
            exec env XDG_RUNTIME_DIR='{runtime.Path}' '{gofer.Binary}' mount '{layers.MountPoint}' -o '{layers.Options}'
            """;
        var run = Tool.Run("unshare", "-m", "--propagation", "private", "sh", "-c", script);

        OneLineFailure.Check(run, Failed, "\"/dev/fuse\"", "ENOENT");
        Assert.Empty(runtime.Bundles);
    }

    [Fact]
    public void A_dev_fuse_without_permission_is_named_with_EACCES()
    {
        using var layers = new OverlayLayers();
        using var runtime = new RuntimeDirectoryForTest();
        var device = layers.Directory.Combine("fuse-000");

        // /dev/fuse's own device, mode 000, in its place; root is kept from overriding the mode
        // by dropping CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from its bounding set.
        var script = $"""
            set -e
            mknod '{device}' c 10 229
            chmod 000 '{device}'
            mount --bind '{device}' /dev/fuse
            exec setpriv --bounding-set=-dac_override,-dac_read_search -- env XDG_RUNTIME_DIR='{runtime.Path}' '{gofer.Binary}' mount '{layers.MountPoint}' -o '{layers.Options}'
            """;
        var run = Tool.Run("unshare", "-m", "--propagation", "private", "sh", "-c", script);

        OneLineFailure.Check(run, Failed, $"mounting {layers.MountPoint}", "\"/dev/fuse\"", "EACCES");
        Assert.Empty(runtime.Bundles);
    }

    [Fact]
    public void A_dev_fuse_that_is_another_device_is_named_by_mount_with_EINVAL()
    {
        using var layers = new OverlayLayers();
        using var runtime = new RuntimeDirectoryForTest();
        var script = $"""
            set -e
            mount --bind /dev/null /dev/fuse
            exec env XDG_RUNTIME_DIR='{runtime.Path}' '{gofer.Binary}' mount '{layers.MountPoint}' -o '{layers.Options}'
            """;
        var run = Tool.Run("unshare", "-m", "--propagation", "private", "sh", "-c", script);

        OneLineFailure.Check(run, Failed, $"\"{layers.MountPoint}\"", "EINVAL");
        Assert.Empty(runtime.Bundles);
    }

    [Fact]
    public void Without_CAP_SYS_ADMIN_the_gofer_names_unshare_and_EPERM()
    {
        using var layers = new OverlayLayers();
        using var runtime = new RuntimeDirectoryForTest();

        var run = Run(["setpriv", "--bounding-set=-sys_admin", "--", .. runtime.With(gofer.Binary, "mount", layers.MountPoint, "-o", layers.Options)]);

        OneLineFailure.Check(run, Failed, "gofer mount: gofer serve:", "unshare(CLONE_NEWNS|CLONE_NEWIPC|CLONE_NEWNET)", "EPERM");
        Assert.Empty(runtime.Bundles);
        Assert.False(layers.IsMounted);
    }

    [Fact]
    public void An_unprivileged_user_gets_a_private_runtime_directory_and_the_gofer_names_EPERM()
    {
        using var layers = new OverlayLayers();
        using var temporary = new TempDirectory("gofer-user-tmp-");
        Tool.Check("chown", "65534:65534", temporary.Path);

        // No XDG_RUNTIME_DIR and /run is root's: the user's own directory under TMPDIR is made.
        var run = Run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", "env", "-u", "XDG_RUNTIME_DIR", $"TMPDIR={temporary.Path}", gofer.Binary, "mount", layers.MountPoint, "-o", layers.Options]);

        OneLineFailure.Check(run, Failed, "unshare(CLONE_NEWNS|CLONE_NEWIPC|CLONE_NEWNET)", "EPERM");
        var own = temporary.Combine("gofer-65534");
        Assert.Equal("700 65534 directory", Tool.Check("stat", "-c", "%a %u %F", own).Trim());
        Assert.Empty(Directory.GetFileSystemEntries(own));
    }

    [Fact]
    public void No_usable_runtime_directory_is_one_line_naming_each_candidate()
    {
        using var layers = new OverlayLayers();

        var run = Run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", "env", "XDG_RUNTIME_DIR=/nonexistent-gofer-xdg", "TMPDIR=/proc", gofer.Binary, "mount", layers.MountPoint, "-o", layers.Options]);

        OneLineFailure.Check(run, Failed, "no private runtime directory", "\"/nonexistent-gofer-xdg\": ENOENT", "\"/run\": not writable: EACCES", "/proc/gofer-65534");
    }

    [Fact]
    public void An_XDG_RUNTIME_DIR_others_may_change_is_passed_over_for_run()
    {
        using var layers = new OverlayLayers();
        using var runtime = new RuntimeDirectoryForTest();
        Tool.Check("chown", "65534", runtime.Path);

        Tool.Check("env", $"XDG_RUNTIME_DIR={runtime.Path}", gofer.Binary, "mount", layers.MountPoint, "-o", layers.Options);

        var goferCommandLine = File.ReadAllText($"/proc/{MountProcesses.Find(layers.MountPoint)[1]}/cmdline");
        Assert.Contains("\0/run/gofer-mount.", goferCommandLine, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(runtime.Path));
        Tool.Check("umount", layers.MountPoint);
    }

    [Fact]
    public void Bundles_left_by_a_dead_mount_are_swept_and_a_live_ones_are_kept()
    {
        using var layers = new OverlayLayers();
        using var runtime = new RuntimeDirectoryForTest();
        int deadPid;
        using (var finished = Process.Start("true"))
        {
            finished.WaitForExit();
            deadPid = finished.Id;
        }

        var dead = Leftover(runtime, deadPid);
        var live = Leftover(runtime, Environment.ProcessId);

        // The sweep comes before anything else, so even a mount that fails does it.
        var run = Run(runtime.With(gofer.Binary, "mount", layers.Directory.Combine("no-such-mount-point"), "-o", layers.Options));

        OneLineFailure.Check(run, Failed, "ENOENT");
        Assert.False(Directory.Exists(dead), "the dead mount's bundle was left");
        Assert.True(File.Exists(Path.Combine(live, "config.json")), "a live process's bundle was removed");
    }

    private static string Leftover(RuntimeDirectoryForTest runtime, int pid)
    {
        var path = Path.Combine(runtime.Path, $"gofer-mount.{RuntimeDirectoryForTest.PidNamespace}.{pid.ToString(CultureInfo.InvariantCulture)}.0123456789abcdef");
        Directory.CreateDirectory(Path.Combine(path, "rootfs"));
        File.WriteAllText(Path.Combine(path, "config.json"), "{}");
        return path;
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(string[] commandLine) => Tool.Run(commandLine[0], commandLine[1..]);
}
