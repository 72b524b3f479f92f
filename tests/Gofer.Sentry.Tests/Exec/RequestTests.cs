using System.Text;
using Gofer.Sentry.Exec;

namespace Gofer.Sentry.Tests.Exec;

/// <summary>Lines the engine refuses, and the guarantees of the stream: one answer per request, in order, flushed, never a crash.</summary>
public sealed class RequestTests : IDisposable
{
    private readonly ScratchView view = new();

    [Fact]
    public void Blank_lines_get_no_answer_and_every_other_line_exactly_one()
    {
        var output = view.Exec(
            string.Empty,
            """{"op":"mkdir","path":"/d","mode":493}""",
            "   \t",
            "not json",
            string.Empty,
            """{"op":"rmdir","path":"/d"}""");

        Assert.Equal(
            $$"""
            {"ok":true}
            {"ok":false,"errno":"EINVAL","error":"not valid JSON: {{JsonMessage("not json")}}"}
            {"ok":true}

            """,
            output);
    }

    [Theory]
    [InlineData("{", "not valid JSON: ")]
    [InlineData("""{"op":"lstat","path":"/"} {}""", "not valid JSON: ")]
    [InlineData("[1,2]", "a request must be a JSON object")]
    [InlineData("\"lstat\"", "a request must be a JSON object")]
    [InlineData("null", "a request must be a JSON object")]
    [InlineData("{}", "missing argument \"op\"")]
    [InlineData("""{"op":7}""", "\"op\" must be a string")]
    [InlineData("""{"op":"LSTAT","path":"/"}""", "unknown op \"LSTAT\"")]
    [InlineData("""{"op":"mount","path":"/"}""", "unknown op \"mount\"")]
    [InlineData("""{"op":"lstat"}""", "missing argument \"path\"")]
    [InlineData("""{"op":"lstat","path":null}""", "\"path\" must be a string")]
    [InlineData("""{"op":"lstat","path":""}""", "\"path\" must be an absolute path (starting with /), not \"\"")]
    [InlineData("""{"op":"lstat","path":"d/e"}""", "\"path\" must be an absolute path (starting with /), not \"d/e\"")]
    [InlineData("""{"op":"lstat","path":"\ud800"}""", "\"path\" is not valid Unicode")]
    [InlineData("""{"op":"mkdir","path":"/d"}""", "missing argument \"mode\"")]
    [InlineData("""{"op":"mkdir","path":"/d","mode":"493"}""", "\"mode\" must be an integer from 0 to 4294967295")]
    [InlineData("""{"op":"mkdir","path":"/d","mode":-1}""", "\"mode\" must be an integer from 0 to 4294967295")]
    [InlineData("""{"op":"mkdir","path":"/d","mode":493.5}""", "\"mode\" must be an integer from 0 to 4294967295")]
    [InlineData("""{"op":"mkdir","path":"/d","mode":4294967296}""", "\"mode\" must be an integer from 0 to 4294967295")]
    [InlineData("""{"op":"create","path":"/f","mode":420,"excl":"yes"}""", "\"excl\" must be true or false")]
    [InlineData("""{"op":"create","path":"/f","mode":420,"trunc":1}""", "\"trunc\" must be true or false")]
    [InlineData("""{"op":"read","path":"/f","offset":"0"}""", "\"offset\" must be a 64-bit integer")]
    [InlineData("""{"op":"read","path":"/f","length":-2}""", "\"length\" must be -1 (to the end of the file) or a byte count")]
    [InlineData("""{"op":"read","path":"/f","length":9223372036854775808}""", "\"length\" must be a 64-bit integer")]
    [InlineData("""{"op":"write","path":"/f"}""", "missing argument \"data\"")]
    [InlineData("""{"op":"write","path":"/f","data":"not base64!"}""", "\"data\" must be base64")]
    [InlineData("""{"op":"append","path":"/f","data":3}""", "\"data\" must be a string")]
    [InlineData("""{"op":"truncate","path":"/f"}""", "missing argument \"size\"")]
    [InlineData("""{"op":"rename","from":"/a"}""", "missing argument \"to\"")]
    [InlineData("""{"op":"rename","to":"/a"}""", "missing argument \"from\"")]
    [InlineData("""{"op":"rename","from":"/a","to":"/b","flags":"whiteout"}""", "\"flags\" must be one of \"\", \"noreplace\", \"exchange\", not \"whiteout\"")]
    [InlineData("""{"op":"link","from":"/a","to":"b"}""", "\"to\" must be an absolute path (starting with /), not \"b\"")]
    [InlineData("""{"op":"symlink","path":"/s"}""", "missing argument \"target\"")]
    [InlineData("""{"op":"chown","path":"/f","uid":0}""", "missing argument \"gid\"")]
    [InlineData("""{"op":"utimes","path":"/f","atime_ns":0}""", "missing argument \"mtime_ns\"")]
    [InlineData("""{"op":"setxattr","path":"/f","name":"user.x"}""", "missing argument \"value\"")]
    [InlineData("""{"op":"setxattr","path":"/f","name":"user.x","value":"","flags":"CREATE"}""", "\"flags\" must be one of \"\", \"create\", \"replace\", not \"CREATE\"")]
    [InlineData("""{"op":"getxattr","path":"/f"}""", "missing argument \"name\"")]
    [InlineData("""{"op":"removexattr","path":"/f","name":false}""", "\"name\" must be a string")]
    [InlineData("""{"op":"tree"}""", "missing argument \"path\"")]
    public void A_refused_line_is_EINVAL_with_an_error_naming_what_was_wrong(string line, string error)
    {
        var answer = view.Answer(line);

        const string refusal = "{\"ok\":false,\"errno\":\"EINVAL\",\"error\":\"";
        Assert.StartsWith(refusal, answer, StringComparison.Ordinal);
        Assert.StartsWith(Json(error), answer[refusal.Length..], StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(view.Directory.Path));
    }

    [Theory]
    [InlineData("lstat")]
    [InlineData("stat")]
    [InlineData("readdir")]
    [InlineData("read")]
    [InlineData("write")]
    [InlineData("append")]
    [InlineData("create")]
    [InlineData("truncate")]
    [InlineData("mkdir")]
    [InlineData("rmdir")]
    [InlineData("unlink")]
    [InlineData("mkfifo")]
    [InlineData("rename")]
    [InlineData("link")]
    [InlineData("symlink")]
    [InlineData("readlink")]
    [InlineData("chmod")]
    [InlineData("chown")]
    [InlineData("utimes")]
    [InlineData("setxattr")]
    [InlineData("getxattr")]
    [InlineData("listxattr")]
    [InlineData("removexattr")]
    [InlineData("tree")]
    public void Every_op_names_its_first_missing_argument(string op) =>
        Assert.StartsWith(
            "{\"ok\":false,\"errno\":\"EINVAL\",\"error\":\"missing argument \\\"",
            view.Answer($$"""{"op":"{{op}}"}"""),
            StringComparison.Ordinal);

    [Fact]
    public void Optional_arguments_take_their_defaults()
    {
        File.WriteAllText(view.Host("/f"), "content");
        File.WriteAllText(view.Host("/g"), "other");

        var output = view.Exec(
            """{"op":"read","path":"/f"}""",
            """{"op":"create","path":"/f","mode":384}""",
            """{"op":"read","path":"/f","offset":3}""",
            """{"op":"rename","from":"/g","to":"/f"}""",
            """{"op":"setxattr","path":"/f","name":"user.x","value":"eA=="}""",
            """{"op":"setxattr","path":"/f","name":"user.x","value":"eQ=="}""",
            """{"op":"getxattr","path":"/f","name":"user.x"}""",
            """{"op":"write","path":"/f","data":"Tw=="}""",
            """{"op":"read","path":"/f"}""");

        Assert.Equal(
            """
            {"ok":true,"data":"Y29udGVudA=="}
            {"ok":true}
            {"ok":true,"data":"dGVudA=="}
            {"ok":true}
            {"ok":true}
            {"ok":true}
            {"ok":true,"value":"eQ=="}
            {"ok":true,"written":1}
            {"ok":true,"data":"T3RoZXI="}

            """,
            output);
    }

    [Fact]
    public void Unknown_arguments_are_ignored() =>
        Assert.Equal("""{"ok":true}""", view.Answer("""{"op":"mkdir","path":"/d","mode":493,"comment":"why not","uid":5}"""));

    [Fact]
    public void A_NUL_in_a_path_is_refused_rather_than_cut_short()
    {
        Directory.CreateDirectory(view.Host("/a"));

        Assert.Equal("""{"ok":false,"errno":"EINVAL"}""", view.Answer("""{"op":"rmdir","path":"/a\u0000/b"}"""));
        Assert.True(Directory.Exists(view.Host("/a")));
    }

    [Fact]
    public void An_unexpected_exception_is_EIO_and_the_run_goes_on()
    {
        var faulty = new FaultyFileSystem(view.FileSystem, (operation, path) =>
            path == "/boom" ? new InvalidOperationException("kaput") : null);

        var output = ExecScript.Run(
            faulty,
            """{"op":"mkdir","path":"/boom","mode":493}""",
            """{"op":"mkdir","path":"/fine","mode":493}""");

        Assert.Equal(
            """
            {"ok":false,"errno":"EIO","error":"InvalidOperationException: kaput"}
            {"ok":true}

            """,
            output);
    }

    [Fact]
    public void A_failure_after_part_of_an_answer_was_written_leaves_only_the_failure()
    {
        Directory.CreateDirectory(view.Host("/d"));
        var faulty = new FaultyFileSystem(view.FileSystem, (operation, path) =>
            operation == "Read" ? new InvalidOperationException("late") : null);
        File.WriteAllText(view.Host("/d/f"), "x");

        // tree writes "ok" before it reads the file; the answer must still be one clean object.
        Assert.Equal(
            """{"ok":false,"errno":"EIO","error":"InvalidOperationException: late"}""",
            ExecScript.Run(faulty, """{"op":"tree","path":"/d"}""").TrimEnd('\n'));
    }

    [Fact]
    public void Each_answer_is_flushed_as_soon_as_it_is_written()
    {
        using var output = new FlushRecordingStream();

        new ExecEngine(view.FileSystem).Run(
            new StringReader("""{"op":"mkdir","path":"/d","mode":493}""" + "\n\n" + """{"op":"lstat","path":"/nope"}""" + "\n"),
            output);

        Assert.Equal(["{\"ok\":true}\n", "{\"ok\":false,\"errno\":\"ENOENT\"}\n"], output.Flushed);
    }

    [Fact]
    public void Names_and_errors_are_written_as_UTF_8_without_needless_escapes()
    {
        Directory.CreateDirectory(view.Host("/dé<&>+"));

        Assert.Equal(
            """{"ok":true,"entries":[{"name":"dé<&>+","type":"dir"}]}""",
            view.Answer("""{"op":"readdir","path":"/"}"""));
        Assert.Equal(
            """{"ok":false,"errno":"EINVAL","error":"unknown op \"é\\\"\""}""",
            view.Answer("""{"op":"é\\\""}"""));
    }

    /// <summary>The message System.Text.Json gives for a line, as the engine embeds it.</summary>
    private static string JsonMessage(string line)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(line);
            throw new InvalidOperationException($"{line} is valid JSON");
        }
        catch (System.Text.Json.JsonException e)
        {
            return e.Message;
        }
    }

    /// <summary>A string as it appears inside a JSON string, quotes escaped.</summary>
    private static string Json(string text) => text.Replace("\"", "\\\"", StringComparison.Ordinal);

    public void Dispose() => view.Dispose();
}
