namespace Gofer.Sentry.Tests.Exec;

/// <summary>The example of EXEC.md, reproduced byte for byte.</summary>
public sealed class ExampleTests : IDisposable
{
    private readonly ScratchView view = new();

    [Fact]
    public void The_example_answers_exactly_as_documented()
    {
        var output = view.Exec(
            """{"op":"mkdir","path":"/d","mode":493}""",
            """{"op":"lstat","path":"/d"}""",
            """{"op":"rmdir","path":"/nope"}""");

        Assert.Equal(
            """
            {"ok":true}
            {"ok":true,"type":"dir","mode":493,"size":4096,"nlink":2,"uid":0,"gid":0}
            {"ok":false,"errno":"ENOENT"}

            """,
            output);
    }

    public void Dispose() => view.Dispose();
}
