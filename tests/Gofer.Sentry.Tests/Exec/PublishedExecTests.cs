using System.Diagnostics;
using Gofer.Server.Tests.EndToEnd;

namespace Gofer.Sentry.Tests.Exec;

/// <summary>`gofer exec --dir` as shipped: the NativeAOT binary, its stdin, stdout, stderr and exit status.</summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class PublishedExecTests(PublishedGofer gofer) : IDisposable
{
    private readonly ScratchView view = new();

    [Fact]
    public void Answers_the_EXEC_md_example_byte_for_byte_and_exits_0()
    {
        var (exit, stdout, stderr) = Run(
            """
            {"op":"mkdir","path":"/d","mode":493}
            {"op":"lstat","path":"/d"}
            {"op":"rmdir","path":"/nope"}

            """,
            "exec",
            "--dir",
            view.Directory.Path);

        Assert.Equal(
            """
            {"ok":true}
            {"ok":true,"type":"dir","mode":493,"size":4096,"nlink":2,"uid":0,"gid":0}
            {"ok":false,"errno":"ENOENT"}

            """,
            stdout);
        Assert.Equal((0, string.Empty), (exit, stderr));
    }

    [Fact]
    public void Runs_with_umask_0_and_keeps_going_after_bad_lines()
    {
        var (exit, stdout, _) = Run(
            """
            {"op":"create","path":"/f","mode":438}
            nonsense
            {"op":"tree","path":"/f"}

            """,
            "exec",
            "--dir",
            view.Directory.Path);

        Assert.Equal(0, exit);
        var lines = stdout.Split('\n');
        Assert.Equal("""{"ok":true}""", lines[0]);
        Assert.StartsWith("""{"ok":false,"errno":"EINVAL","error":"not valid JSON""", lines[1], StringComparison.Ordinal);
        Assert.Equal(
            """{"ok":true,"entries":[{"path":"/f","type":"file","mode":438,"uid":0,"gid":0,"xattrs":{},"size":0,"sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}]}""",
            lines[2]);
    }

    [Fact]
    public void A_directory_that_cannot_be_opened_fails_the_tool_with_one_line()
    {
        var (exit, stdout, stderr) = Run(string.Empty, "exec", "--dir", view.Host("/missing"));

        Assert.Equal(3, exit);
        Assert.Empty(stdout);
        Assert.Equal($"gofer exec: opening --dir {view.Host("/missing")}: open \"{view.Host("/missing")}\": ENOENT (No such file or directory)\n", stderr);
    }

    [Theory]
    [InlineData("exec")]
    [InlineData("exec", "--dir", "/tmp", "--socket", "/s", "--mount", "/")]
    [InlineData("exec", "--socket", "/s")]
    [InlineData("exec", "--dir", "/tmp", "--mount", "/")]
    public void A_wrong_command_line_is_refused(params string[] arguments)
    {
        var (exit, stdout, _) = Run(string.Empty, arguments);

        Assert.NotEqual(0, exit);
        Assert.DoesNotContain("\"ok\"", stdout, StringComparison.Ordinal);
    }

    private (int ExitCode, string Stdout, string Stderr) Run(string input, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(gofer.Binary, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    public void Dispose() => view.Dispose();
}
