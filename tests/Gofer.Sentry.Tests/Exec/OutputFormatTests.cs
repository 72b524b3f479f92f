using Gofer.Server.Tests;

namespace Gofer.Sentry.Tests.Exec;

/// <summary>The answer of every op, byte for byte: field names, their order, defaults, base64.</summary>
public sealed class OutputFormatTests : IDisposable
{
    private const UnixFileMode Mode644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Mode755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private readonly ScratchView view = new();

    /// <summary>/dir (0755) holding file "hello" (0644, user.a=1, user.b=2); /empty; /link → dir/file; /fifo (0600).</summary>
    public OutputFormatTests()
    {
        Directory.CreateDirectory(view.Host("/dir"), Mode755);
        Directory.CreateDirectory(view.Host("/empty"), Mode755);
        File.WriteAllText(view.Host("/dir/file"), "hello");
        File.SetUnixFileMode(view.Host("/dir/file"), Mode644);
        Tool.Check("setfattr", "-n", "user.b", "-v", "2", view.Host("/dir/file"));
        Tool.Check("setfattr", "-n", "user.a", "-v", "1", view.Host("/dir/file"));
        File.CreateSymbolicLink(view.Host("/link"), "dir/file");
        Tool.Check("mkfifo", "-m", "600", view.Host("/fifo"));
    }

    [Theory]
    [InlineData("""{"op":"lstat","path":"/dir/file"}""", """{"ok":true,"type":"file","mode":420,"size":5,"nlink":1,"uid":0,"gid":0}""")]
    [InlineData("""{"op":"lstat","path":"/dir"}""", """{"ok":true,"type":"dir","mode":493,"size":4096,"nlink":2,"uid":0,"gid":0}""")]
    [InlineData("""{"op":"lstat","path":"/link"}""", """{"ok":true,"type":"symlink","mode":511,"size":8,"nlink":1,"uid":0,"gid":0}""")]
    [InlineData("""{"op":"lstat","path":"/fifo"}""", """{"ok":true,"type":"fifo","mode":384,"size":0,"nlink":1,"uid":0,"gid":0}""")]
    [InlineData("""{"op":"stat","path":"/link"}""", """{"ok":true,"type":"file","mode":420,"size":5,"nlink":1,"uid":0,"gid":0}""")]
    [InlineData("""{"op":"readdir","path":"/"}""", """{"ok":true,"entries":[{"name":"dir","type":"dir"},{"name":"empty","type":"dir"},{"name":"fifo","type":"fifo"},{"name":"link","type":"symlink"}]}""")]
    [InlineData("""{"op":"readdir","path":"/empty"}""", """{"ok":true,"entries":[]}""")]
    [InlineData("""{"op":"read","path":"/dir/file"}""", """{"ok":true,"data":"aGVsbG8="}""")]
    [InlineData("""{"op":"read","path":"/link","offset":1,"length":3}""", """{"ok":true,"data":"ZWxs"}""")]
    [InlineData("""{"op":"read","path":"/dir/file","offset":9}""", """{"ok":true,"data":""}""")]
    [InlineData("""{"op":"read","path":"/dir/file","length":0}""", """{"ok":true,"data":""}""")]
    [InlineData("""{"op":"write","path":"/dir/file","offset":5,"data":"IQ=="}""", """{"ok":true,"written":1}""")]
    [InlineData("""{"op":"write","path":"/dir/file","data":"SGk="}""", """{"ok":true,"written":2}""")]
    [InlineData("""{"op":"append","path":"/link","data":"Pz8/"}""", """{"ok":true,"written":3}""")]
    [InlineData("""{"op":"create","path":"/new","mode":416}""", """{"ok":true}""")]
    [InlineData("""{"op":"create","path":"/dir/file","mode":416,"excl":false,"trunc":true}""", """{"ok":true}""")]
    [InlineData("""{"op":"truncate","path":"/dir/file","size":2}""", """{"ok":true}""")]
    [InlineData("""{"op":"mkdir","path":"/new","mode":448}""", """{"ok":true}""")]
    [InlineData("""{"op":"rmdir","path":"/empty"}""", """{"ok":true}""")]
    [InlineData("""{"op":"unlink","path":"/link"}""", """{"ok":true}""")]
    [InlineData("""{"op":"mkfifo","path":"/pipe","mode":416}""", """{"ok":true}""")]
    [InlineData("""{"op":"rename","path":"ignored","from":"/dir/file","to":"/moved"}""", """{"ok":true}""")]
    [InlineData("""{"op":"rename","from":"/dir/file","to":"/moved","flags":"noreplace"}""", """{"ok":true}""")]
    [InlineData("""{"op":"rename","from":"/dir","to":"/empty","flags":"exchange"}""", """{"ok":true}""")]
    [InlineData("""{"op":"link","from":"/dir/file","to":"/hard"}""", """{"ok":true}""")]
    [InlineData("""{"op":"symlink","target":"anything at all","path":"/s"}""", """{"ok":true}""")]
    [InlineData("""{"op":"readlink","path":"/link"}""", """{"ok":true,"target":"dir/file"}""")]
    [InlineData("""{"op":"chmod","path":"/link","mode":2541}""", """{"ok":true}""")]
    [InlineData("""{"op":"chown","path":"/link","uid":1000,"gid":2000}""", """{"ok":true}""")]
    [InlineData("""{"op":"utimes","path":"/link","atime_ns":1,"mtime_ns":-1}""", """{"ok":true}""")]
    [InlineData("""{"op":"setxattr","path":"/dir/file","name":"user.c","value":"AAE="}""", """{"ok":true}""")]
    [InlineData("""{"op":"setxattr","path":"/dir/file","name":"user.c","value":"","flags":"create"}""", """{"ok":true}""")]
    [InlineData("""{"op":"setxattr","path":"/dir/file","name":"user.a","value":"+/8=","flags":"replace"}""", """{"ok":true}""")]
    [InlineData("""{"op":"getxattr","path":"/dir/file","name":"user.a"}""", """{"ok":true,"value":"MQ=="}""")]
    [InlineData("""{"op":"listxattr","path":"/dir/file"}""", """{"ok":true,"names":["user.a","user.b"]}""")]
    [InlineData("""{"op":"listxattr","path":"/dir"}""", """{"ok":true,"names":[]}""")]
    [InlineData("""{"op":"removexattr","path":"/dir/file","name":"user.b"}""", """{"ok":true}""")]
    public void Answers_with_the_documented_fields_in_order(string request, string answer) =>
        Assert.Equal(answer, view.Answer(request));

    [Fact]
    public void Writes_appends_truncates_and_creates_change_the_content_as_the_syscalls_do()
    {
        var output = view.Exec(
            """{"op":"write","path":"/dir/file","offset":5,"data":"IQ=="}""",
            """{"op":"append","path":"/link","data":"Pz8="}""",
            """{"op":"read","path":"/dir/file"}""",
            """{"op":"write","path":"/dir/file","offset":10,"data":"eA=="}""",
            """{"op":"read","path":"/dir/file","offset":7}""",
            """{"op":"truncate","path":"/link","size":2}""",
            """{"op":"read","path":"/dir/file"}""",
            """{"op":"create","path":"/dir/file","mode":511}""",
            """{"op":"read","path":"/dir/file"}""",
            """{"op":"create","path":"/dir/file","mode":511,"trunc":true}""",
            """{"op":"lstat","path":"/dir/file"}""");

        Assert.Equal(
            """
            {"ok":true,"written":1}
            {"ok":true,"written":2}
            {"ok":true,"data":"aGVsbG8hPz8="}
            {"ok":true,"written":1}
            {"ok":true,"data":"PwAAeA=="}
            {"ok":true}
            {"ok":true,"data":"aGU="}
            {"ok":true}
            {"ok":true,"data":"aGU="}
            {"ok":true}
            {"ok":true,"type":"file","mode":420,"size":0,"nlink":1,"uid":0,"gid":0}

            """,
            output);
    }

    [Fact]
    public void Every_byte_value_goes_through_base64_in_data_and_xattr_values()
    {
        var all = Convert.ToBase64String(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray());
        var output = view.Exec(
            $$"""{"op":"write","path":"/dir/file","data":"{{all}}"}""",
            """{"op":"read","path":"/dir/file"}""",
            $$"""{"op":"setxattr","path":"/dir","name":"user.bytes","value":"{{all}}"}""",
            """{"op":"getxattr","path":"/dir","name":"user.bytes"}""");

        Assert.Equal(
            $$"""
            {"ok":true,"written":256}
            {"ok":true,"data":"{{all}}"}
            {"ok":true}
            {"ok":true,"value":"{{all}}"}

            """,
            output);
    }

    [Fact]
    public void Modes_are_applied_exactly_with_setuid_setgid_and_sticky()
    {
        var output = view.Exec(
            """{"op":"create","path":"/suid","mode":2541}""",
            """{"op":"lstat","path":"/suid"}""",
            """{"op":"mkdir","path":"/tmp","mode":1023}""",
            """{"op":"lstat","path":"/tmp"}""",
            """{"op":"mkfifo","path":"/pipe","mode":416}""",
            """{"op":"lstat","path":"/pipe"}""",
            """{"op":"chmod","path":"/link","mode":1472}""",
            """{"op":"stat","path":"/link"}""");

        Assert.Equal(
            """
            {"ok":true}
            {"ok":true,"type":"file","mode":2541,"size":0,"nlink":1,"uid":0,"gid":0}
            {"ok":true}
            {"ok":true,"type":"dir","mode":1023,"size":4096,"nlink":2,"uid":0,"gid":0}
            {"ok":true}
            {"ok":true,"type":"fifo","mode":416,"size":0,"nlink":1,"uid":0,"gid":0}
            {"ok":true}
            {"ok":true,"type":"file","mode":1472,"size":5,"nlink":1,"uid":0,"gid":0}

            """,
            output);
    }

    [Fact]
    public void Chown_and_utimes_change_a_symlink_itself_and_chmod_its_target()
    {
        var output = view.Exec(
            """{"op":"chown","path":"/link","uid":1000,"gid":2000}""",
            """{"op":"lstat","path":"/link"}""",
            """{"op":"stat","path":"/link"}""",
            """{"op":"utimes","path":"/link","atime_ns":-1500000000,"mtime_ns":1700000000123456789}""");

        Assert.Equal(
            """
            {"ok":true}
            {"ok":true,"type":"symlink","mode":511,"size":8,"nlink":1,"uid":1000,"gid":2000}
            {"ok":true,"type":"file","mode":420,"size":5,"nlink":1,"uid":0,"gid":0}
            {"ok":true}

            """,
            output);
        var link = view.FileSystem.Lstat("/link");
        Assert.Equal((-1_500_000_000L, 1_700_000_000_123_456_789L), (link.AccessTimeNs, link.ModifyTimeNs));
        Assert.NotEqual(1_700_000_000_123_456_789L, view.FileSystem.Stat("/link").ModifyTimeNs);
    }

    [Fact]
    public void Rename_flags_replace_refuse_or_exchange()
    {
        File.WriteAllText(view.Host("/other"), "other");
        var output = view.Exec(
            """{"op":"rename","from":"/other","to":"/dir/file","flags":"noreplace"}""",
            """{"op":"rename","from":"/other","to":"/dir/file","flags":"exchange"}""",
            """{"op":"read","path":"/other"}""",
            """{"op":"rename","from":"/other","to":"/dir/file"}""",
            """{"op":"read","path":"/dir/file"}""",
            """{"op":"lstat","path":"/other"}""");

        Assert.Equal(
            """
            {"ok":false,"errno":"EEXIST"}
            {"ok":true}
            {"ok":true,"data":"aGVsbG8="}
            {"ok":true}
            {"ok":true,"data":"aGVsbG8="}
            {"ok":false,"errno":"ENOENT"}

            """,
            output);
    }

    [Fact]
    public void Xattr_flags_create_and_replace_and_removal()
    {
        var output = view.Exec(
            """{"op":"setxattr","path":"/dir/file","name":"user.a","value":"eA==","flags":"create"}""",
            """{"op":"setxattr","path":"/dir/file","name":"user.new","value":"eA==","flags":"replace"}""",
            """{"op":"removexattr","path":"/dir/file","name":"user.a"}""",
            """{"op":"removexattr","path":"/dir/file","name":"user.a"}""",
            """{"op":"listxattr","path":"/link"}""",
            """{"op":"getxattr","path":"/dir/file","name":"user.a"}""");

        Assert.Equal(
            """
            {"ok":false,"errno":"EEXIST"}
            {"ok":false,"errno":"ENODATA"}
            {"ok":true}
            {"ok":false,"errno":"ENODATA"}
            {"ok":true,"names":[]}
            {"ok":false,"errno":"ENODATA"}

            """,
            output);
    }

    [Fact]
    public void Hard_links_share_the_file_and_count_links()
    {
        var output = view.Exec(
            """{"op":"link","from":"/link","to":"/hard"}""",
            """{"op":"lstat","path":"/hard"}""",
            """{"op":"link","from":"/dir/file","to":"/dir/file2"}""",
            """{"op":"lstat","path":"/dir/file"}""");

        Assert.Equal(
            """
            {"ok":true}
            {"ok":true,"type":"symlink","mode":511,"size":8,"nlink":2,"uid":0,"gid":0}
            {"ok":true}
            {"ok":true,"type":"file","mode":420,"size":5,"nlink":2,"uid":0,"gid":0}

            """,
            output);
    }

    public void Dispose() => view.Dispose();
}
