using System.IO.MemoryMappedFiles;
using Gofer.Server.Tests;
using Gofer.Server.Tests.EndToEnd;

namespace Gofer.Mount.Tests;

/// <summary>
/// `gofer mount` as a user runs it: the published binary, through mount(8) and mount.fuse3 too,
/// checked from outside (mount table, processes, files on disk).
/// </summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class MountCommandTests(PublishedGofer gofer)
{
    [Fact]
    public void Mount_returns_once_mounted_and_umount_ends_both_processes()
    {
        using var layers = new OverlayLayers();
        Tool.Check(gofer.Binary, "mount", "demo-source", layers.MountPoint, "-o", layers.Options);

        var mount = MountInfo.Read(Environment.ProcessId).Single(m => m.MountPoint == layers.MountPoint);
        Assert.Equal("fuse.gofer-overlay", mount.FilesystemType);
        Assert.Contains("nosuid", mount.Options);
        Assert.Equal("top\n", File.ReadAllText(Path.Combine(layers.MountPoint, "shared", "from-top")));
        Assert.Equal(["from-bottom", "from-top"], Directory.GetFiles(Path.Combine(layers.MountPoint, "shared")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var processes = MountProcesses.Find(layers.MountPoint);
        Assert.Equal(2, processes.Count);

        Tool.Check("umount", layers.MountPoint);

        Assert.True(MountProcesses.WaitGone(processes), "the mount's processes outlived umount");
        Assert.False(layers.IsMounted);
    }

    [Fact]
    public void Writes_land_in_the_upper_directory_and_the_lowers_stay_untouched()
    {
        using var layers = new OverlayLayers();
        Tool.Check(gofer.Binary, "mount", layers.MountPoint, "-o", layers.Options);
        File.AppendAllText(Path.Combine(layers.MountPoint, "lower-file"), "more\n");
        File.Delete(Path.Combine(layers.MountPoint, "shared", "from-top"));
        Tool.Check("umount", layers.MountPoint);

        Assert.Equal("lower\nmore\n", File.ReadAllText(Path.Combine(layers.Upper, "lower-file")));
        Assert.Equal("lower\n", File.ReadAllText(layers.Directory.Combine("lower", "bottom", "lower-file")));
        Assert.Equal("top\n", File.ReadAllText(layers.Directory.Combine("lower", "top", "shared", "from-top")));
        var whiteout = Tool.Check("stat", "-c", "%F %t:%T", Path.Combine(layers.Upper, "shared", "from-top")).Trim();
        Assert.Equal("character special file 0:0", whiteout);
    }

    /// <remarks>
    /// Here and not with the in-process FUSE tests: a thread faulting on a page of a FUSE file
    /// waits in the kernel, where the .NET runtime cannot suspend it for a collection, so a FUSE
    /// server in the same process that needs one (or needs the faulting process's mmap lock)
    /// never answers. `gofer mount` serves from a process of its own, as for any program.
    /// </remarks>
    [Fact]
    public void Memory_mapped_reads_see_the_lower_file_and_mapped_writes_reach_the_upper()
    {
        using var layers = new OverlayLayers();
        var content = new byte[256 << 10];
        new Random(9).NextBytes(content);
        var lower = layers.Directory.Combine("lower", "bottom", "big.bin");
        File.WriteAllBytes(lower, content);
        Tool.Check(gofer.Binary, "mount", layers.MountPoint, "-o", layers.Options);
        var merged = Path.Combine(layers.MountPoint, "big.bin");

        using (var map = MemoryMappedFile.CreateFromFile(merged, FileMode.Open, null, 0, MemoryMappedFileAccess.Read))
        using (var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read))
        {
            var read = new byte[content.Length];
            view.ReadArray(0, read, 0, read.Length);
            Assert.Equal(content, read);
        }

        using (var map = MemoryMappedFile.CreateFromFile(merged, FileMode.Open, null, 0, MemoryMappedFileAccess.ReadWrite))
        using (var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.ReadWrite))
        {
            view.WriteArray(4096 * 3, "mapped"u8.ToArray(), 0, 6);
            view.Flush();
        }

        var expected = content.ToArray();
        "mapped"u8.CopyTo(expected.AsSpan(4096 * 3));
        Assert.Equal(expected, File.ReadAllBytes(merged));
        Tool.Check("umount", layers.MountPoint);

        Assert.Equal(expected, File.ReadAllBytes(Path.Combine(layers.Upper, "big.bin")));
        Assert.Equal(content, File.ReadAllBytes(lower));
    }

    [Fact]
    public void Ending_after_an_outside_umount_leaves_the_mount_below_in_place()
    {
        using var layers = new OverlayLayers();
        Tool.Check("mount", "-t", "tmpfs", "below-the-overlay", layers.MountPoint);
        Tool.Check(gofer.Binary, "mount", layers.MountPoint, "-o", layers.Options);
        var processes = MountProcesses.Find(layers.MountPoint);

        Tool.Check("umount", layers.MountPoint);

        Assert.True(MountProcesses.WaitGone(processes), "the mount's processes outlived umount");
        Assert.Equal("tmpfs", MountInfo.Read(Environment.ProcessId).Last(m => m.MountPoint == layers.MountPoint).FilesystemType);
    }

    [Fact]
    public void Sigterm_unmounts_and_ends_both_processes()
    {
        using var layers = new OverlayLayers();
        Tool.Check(gofer.Binary, "mount", layers.MountPoint, "-o", layers.Options);
        var processes = MountProcesses.Find(layers.MountPoint);
        Assert.NotEmpty(processes);

        Tool.Check("kill", "-TERM", processes[0].ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(MountProcesses.WaitGone(processes), "the mount's processes outlived SIGTERM");
        Assert.False(layers.IsMounted);
    }

    [Fact]
    public void A_gofer_that_dies_takes_the_mount_with_it()
    {
        using var layers = new OverlayLayers();
        Tool.Check(gofer.Binary, "mount", layers.MountPoint, "-o", layers.Options);
        var processes = MountProcesses.Find(layers.MountPoint);
        Assert.Equal(2, processes.Count);

        Tool.Check("kill", "-KILL", processes[1].ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(MountProcesses.WaitGone(processes), "the mount outlived its gofer");
        Assert.False(layers.IsMounted);
    }

    [Fact]
    public void Relative_layer_paths_resolve_against_the_working_directory()
    {
        using var layers = new OverlayLayers();
        var (exit, stdout, stderr) = Tool.Run("sh", "-c", $"cd '{layers.Directory.Path}' && '{gofer.Binary}' mount mnt -o lowerdir=lower/top:lower/bottom,upperdir=upper,workdir=work");
        Assert.True(exit == 0, stderr + stdout);

        Assert.Equal("bottom\n", File.ReadAllText(Path.Combine(layers.MountPoint, "shared", "from-bottom")));
        Tool.Check("umount", layers.MountPoint);
    }

    [Fact]
    public void Mount_8_runs_the_binary_as_gofer_overlay_through_mount_fuse3()
    {
        using var layers = new OverlayLayers();
        using var bin = new TempDirectory("gofer-helper-bin-");
        File.CreateSymbolicLink(bin.Combine("gofer-overlay"), gofer.Binary);

        // The README's install step puts the link in /usr/local/bin, which mount.fuse3 searches;
        // here that directory is replaced in a private mount namespace only, so the host's stays
        // as it was. The mount lives and dies inside that namespace.
        var script = $"""
            set -e
            mount --bind '{bin.Path}' /usr/local/bin
            mount -t fuse.gofer-overlay gofer-overlay '{layers.MountPoint}' -o '{layers.Options}'
            grep -q ' {layers.MountPoint} .* - fuse.gofer-overlay gofer-overlay ' /proc/self/mountinfo
            cat '{layers.MountPoint}/shared/from-bottom'
            umount '{layers.MountPoint}'
            ! grep -q ' {layers.MountPoint} ' /proc/self/mountinfo
            """;
        var stdout = Tool.Check("unshare", "-m", "--propagation", "private", "sh", "-c", script);

        Assert.Equal("bottom\n", stdout);
        Assert.False(layers.IsMounted);
    }

    [Theory]
    [InlineData("upperdir=/nonexistent", "lowerdir=… is required")]
    [InlineData("lowerdir=", "option lowerdir needs a value")]
    [InlineData("{layers},metacopy=on", "metacopy")]
    [InlineData("lowerdir=/nonexistent-lower", "/nonexistent-lower")]
    [InlineData("{layers},subtype=a b", "subtype=a b")]
    public void A_refused_option_is_named_and_nothing_is_mounted(string options, string named)
    {
        using var layers = new OverlayLayers();
        var before = Directory.GetDirectories("/run", "gofer-mount.*");

        var (exit, stdout, stderr) = Tool.Run(gofer.Binary, "mount", layers.MountPoint, "-o", options.Replace("{layers}", layers.Options, StringComparison.Ordinal));

        Assert.NotEqual(0, exit);
        Assert.Contains(named, stderr + stdout, StringComparison.Ordinal);
        Assert.False(layers.IsMounted);
        Assert.Empty(Directory.GetDirectories("/run", "gofer-mount.*").Except(before));
    }
}
