using System.Globalization;
using Gofer.Server.Tests;
using Gofer.Server.Tests.EndToEnd;

namespace Gofer.Mount.Tests.RandomIo;

/// <summary>
/// fsx-style random I/O — reads, writes past the end, truncates, mapped reads and writes, fsyncs,
/// reopens — on a file that starts in a lower layer, run once on the kernel's overlayfs and once
/// on `gofer mount` over identical layers. Every step must observe the same thing, and the upper
/// layers must end up holding the same bytes. GOFER_FSX_SEEDS sets how many seeds (default 6).
/// </summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class RandomIoTests(PublishedGofer gofer)
{
    private const int Steps = 400;
    private const long MaxSize = 512 * 1024;

    public static TheoryData<int> Seeds()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("GOFER_FSX_SEEDS"), CultureInfo.InvariantCulture, out var n) ? n : 6;
        var seeds = new TheoryData<int>();
        for (var seed = 0; seed < count; seed++)
        {
            seeds.Add(seed);
        }

        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Random_io_on_a_copied_up_file_matches_the_kernel(int seed)
    {
        using var kernel = new OverlayLayers("gofer-fsx-kernel-");
        using var fuse = new OverlayLayers("gofer-fsx-fuse-");
        var initial = new byte[new Random(seed).Next((int)MaxSize)];
        new Random(~seed).NextBytes(initial);
        File.WriteAllBytes(kernel.Directory.Combine("lower", "bottom", "data"), initial);
        File.WriteAllBytes(fuse.Directory.Combine("lower", "bottom", "data"), initial);
        var steps = RandomIoStep.Script(seed, Steps, initial.Length, MaxSize);

        Tool.Check("mount", "-t", "overlay", "overlay", "-o", kernel.Options + ",index=off,metacopy=off", kernel.MountPoint);
        var expected = RunThenUnmount(kernel, steps);
        Tool.Check(gofer.Binary, "mount", fuse.MountPoint, "-o", fuse.Options);
        var actual = RunThenUnmount(fuse, steps);

        for (var i = 0; i < steps.Count; i++)
        {
            Assert.True(expected[i] == actual[i], $"seed {seed}, step {i}: kernel {expected[i]}, gofer mount {actual[i]}");
        }

        Assert.Equal(File.ReadAllBytes(Path.Combine(kernel.Upper, "data")), File.ReadAllBytes(Path.Combine(fuse.Upper, "data")));
        Assert.Equal(initial, File.ReadAllBytes(fuse.Directory.Combine("lower", "bottom", "data")));
    }

    private static IReadOnlyList<string> RunThenUnmount(OverlayLayers layers, IReadOnlyList<RandomIoStep> steps)
    {
        try
        {
            return RandomIoRunner.Run(Path.Combine(layers.MountPoint, "data"), steps);
        }
        finally
        {
            Tool.Check("umount", layers.MountPoint);
        }
    }
}
