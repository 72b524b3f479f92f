using System.Security.Cryptography;
using System.Text;
using Gofer.Native;
using Gofer.Server.Tests;

namespace Gofer.Sentry.Tests.Exec;

/// <summary>The tree op: every entry described, sorted by path bytes, symlinks not followed.</summary>
public sealed class TreeTests : IDisposable
{
    private const UnixFileMode Mode755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private readonly ScratchView view = new();

    [Fact]
    public void Lists_every_entry_with_hashes_targets_and_user_xattrs_sorted_by_path_bytes()
    {
        // "a-c" sorts before "a/b" ('-' < '/'), "B" before "a", "é" (C3 A9) after "z".
        Directory.CreateDirectory(view.Host("/a"), Mode755);
        File.WriteAllText(view.Host("/a/b"), "hello\n");
        File.WriteAllText(view.Host("/a-c"), string.Empty);
        File.WriteAllText(view.Host("/B"), "B");
        File.WriteAllText(view.Host("/é"), "accent");
        File.WriteAllText(view.Host("/z"), "z");
        File.CreateSymbolicLink(view.Host("/a/l"), "/nowhere");
        Tool.Check("mkfifo", "-m", "640", view.Host("/a/p"));
        Tool.Check("setfattr", "-n", "user.z", "-v", "0sAAE=", view.Host("/a"));
        Tool.Check("setfattr", "-n", "user.a", "-v", "x", view.Host("/a"));
        foreach (var file in new[] { "/a/b", "/a-c", "/B", "/é", "/z" })
        {
            File.SetUnixFileMode(view.Host(file), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        string[] entries =
        [
            """{"path":"/","type":"dir","mode":448,"uid":0,"gid":0,"xattrs":{}}""",
            $$"""{"path":"/B","type":"file","mode":384,"uid":0,"gid":0,"xattrs":{},"size":1,"sha256":"{{Sha256("B")}}"}""",
            """{"path":"/a","type":"dir","mode":493,"uid":0,"gid":0,"xattrs":{"user.a":"eA==","user.z":"AAE="}}""",
            $$"""{"path":"/a-c","type":"file","mode":384,"uid":0,"gid":0,"xattrs":{},"size":0,"sha256":"{{EmptySha256}}"}""",
            $$"""{"path":"/a/b","type":"file","mode":384,"uid":0,"gid":0,"xattrs":{},"size":6,"sha256":"{{Sha256("hello\n")}}"}""",
            """{"path":"/a/l","type":"symlink","mode":511,"uid":0,"gid":0,"xattrs":{},"target":"/nowhere"}""",
            """{"path":"/a/p","type":"fifo","mode":416,"uid":0,"gid":0,"xattrs":{}}""",
            $$"""{"path":"/z","type":"file","mode":384,"uid":0,"gid":0,"xattrs":{},"size":1,"sha256":"{{Sha256("z")}}"}""",
            $$"""{"path":"/é","type":"file","mode":384,"uid":0,"gid":0,"xattrs":{},"size":6,"sha256":"{{Sha256("accent")}}"}""",
        ];

        Assert.Equal($"{{\"ok\":true,\"entries\":[{string.Join(',', entries)}]}}", view.Answer("""{"op":"tree","path":"/"}"""));
    }

    [Fact]
    public void Starts_at_the_path_itself_and_stays_below_it()
    {
        Directory.CreateDirectory(view.Host("/d"), Mode755);
        Directory.CreateDirectory(view.Host("/d/e"), Mode755);
        File.WriteAllText(view.Host("/outside"), "x");

        Assert.Equal(
            """{"ok":true,"entries":[{"path":"/d","type":"dir","mode":493,"uid":0,"gid":0,"xattrs":{}},{"path":"/d/e","type":"dir","mode":493,"uid":0,"gid":0,"xattrs":{}}]}""",
            view.Answer("""{"op":"tree","path":"/d"}"""));
    }

    [Fact]
    public void Describes_a_symlink_at_the_path_without_following_it()
    {
        Directory.CreateDirectory(view.Host("/d"), Mode755);
        Directory.CreateDirectory(view.Host("/d/e"), Mode755);
        File.CreateSymbolicLink(view.Host("/l"), "d");

        Assert.Equal(
            """{"ok":true,"entries":[{"path":"/l","type":"symlink","mode":511,"uid":0,"gid":0,"xattrs":{},"target":"d"}]}""",
            view.Answer("""{"op":"tree","path":"/l"}"""));
    }

    [Fact]
    public void Hashes_a_file_larger_than_one_read()
    {
        var content = new byte[(3 * 1024 * 1024) + 17];
        new Random(7).NextBytes(content);
        File.WriteAllBytes(view.Host("/big"), content);
        File.SetUnixFileMode(view.Host("/big"), UnixFileMode.UserRead);

        Assert.Equal(
            $$"""{"ok":true,"entries":[{"path":"/big","type":"file","mode":256,"uid":0,"gid":0,"xattrs":{},"size":{{content.Length}},"sha256":"{{Convert.ToHexStringLower(SHA256.HashData(content))}}"}]}""",
            view.Answer("""{"op":"tree","path":"/big"}"""));
    }

    [Fact]
    public void Fails_as_a_whole_when_the_path_itself_cannot_be_stated() =>
        Assert.Equal("""{"ok":false,"errno":"ENOENT"}""", view.Answer("""{"op":"tree","path":"/missing"}"""));

    [Fact]
    public void An_entry_listed_but_not_described_carries_its_errno_and_the_walk_goes_on()
    {
        Directory.CreateDirectory(view.Host("/d"), Mode755);
        Directory.CreateDirectory(view.Host("/d/gone"), Mode755);
        Directory.CreateDirectory(view.Host("/d/unreadable"), Mode755);
        File.WriteAllText(view.Host("/d/gone/hidden"), "x");
        File.WriteAllText(view.Host("/d/unreadable/hidden"), "x");
        File.WriteAllText(view.Host("/d/z"), string.Empty);
        File.SetUnixFileMode(view.Host("/d/z"), UnixFileMode.UserRead);
        var faulty = new FaultyFileSystem(view.FileSystem, (operation, path) => (operation, path) switch
        {
            ("Lstat", "/d/gone") => new ErrnoException(Errno.ENOENT, "lstat", path),
            ("ReadDir", "/d/unreadable") => new ErrnoException(Errno.EACCES, "readdir", path),
            _ => null,
        });

        Assert.Equal(
            $$$"""{"ok":true,"entries":[{"path":"/d","type":"dir","mode":493,"uid":0,"gid":0,"xattrs":{}},{"path":"/d/gone","error":"ENOENT"},{"path":"/d/unreadable","error":"EACCES"},{"path":"/d/z","type":"file","mode":256,"uid":0,"gid":0,"xattrs":{},"size":0,"sha256":"{{{EmptySha256}}}"}]}""",
            ExecScript.Run(faulty, """{"op":"tree","path":"/d"}""").TrimEnd('\n'));
    }

    private static string Sha256(string content) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));

    public void Dispose() => view.Dispose();
}
