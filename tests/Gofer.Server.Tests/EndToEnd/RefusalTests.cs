namespace Gofer.Server.Tests.EndToEnd;

/// <summary>A refused spec: a one-line error naming what is wrong, a non-zero exit, and the host untouched.</summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class RefusalTests(PublishedGofer gofer)
{
    [Theory]
    [InlineData("lowerdir=layers/missing,upperdir=layers/upper,workdir=layers/work", "lowerdir", "missing")]
    [InlineData("lowerdir=layers/base,upperdir=layers/upper", "workdir", "workdir")]
    [InlineData("lowerdir=layers/base,upperdir=layers/upper,workdir=layers/work,metacopy=on", "metacopy=on", "metacopy")]
    [InlineData("lowerdir=layers/base,upperdir=layers/base/dir,workdir=layers/work", "upperdir", "upperdir")]
    public void A_broken_spec_is_refused_before_anything_is_touched(string options, string named, string alsoNamed)
    {
        using var bundle = new OverlayBundle();
        bundle.Write(options);
        var hostMounts = File.ReadAllText("/proc/self/mountinfo");
        var socket = bundle.Directory.Combine("gofer.sock");
        var listing = Tool.Check("find", bundle.Path, "-printf", "%p %m %s\n");

        var (exit, stdout, stderr) = Tool.Run(gofer.Binary, "serve", "--bundle", bundle.Path, "--socket", socket);

        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains("mount /data", line, StringComparison.Ordinal);
        Assert.Contains(named, line, StringComparison.Ordinal);
        Assert.Contains(alsoNamed, line, StringComparison.Ordinal);
        Assert.False(File.Exists(socket));
        Assert.Equal(listing, Tool.Check("find", bundle.Path, "-printf", "%p %m %s\n"));
        Assert.Equal(hostMounts, File.ReadAllText("/proc/self/mountinfo"));
    }

    [Theory]
    [InlineData("serve --bundle /nonexistent")]
    [InlineData("serve --bundle /b --socket /s --listen-fd 3")]
    [InlineData("exec --socket /s")]
    [InlineData("frobnicate")]
    public void A_wrong_command_line_exits_2_and_says_what_is_wrong(string commandLine)
    {
        var (exit, stdout, stderr) = Tool.Run(gofer.Binary, commandLine.Split(' '));
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.StartsWith("gofer: ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_prints_the_plan_and_exits_zero_on_a_good_bundle()
    {
        using var bundle = new OverlayBundle();
        var (exit, stdout, _) = Tool.Run(gofer.Binary, "check", "--bundle", bundle.Path);
        Assert.Equal(0, exit);
        foreach (var expected in new[] { "/data", "/m1/lower0", "/m1/upper", "/m1/work", "/m0/root", "/m2/bind", "top:colon" })
        {
            Assert.Contains(expected, stdout, StringComparison.Ordinal);
        }
    }
}
