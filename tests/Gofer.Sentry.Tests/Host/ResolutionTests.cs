using Gofer.Native;
using Gofer.Sentry.Host;
using Gofer.Server.Tests;

namespace Gofer.Sentry.Tests.Host;

/// <summary>
/// Paths resolve as in the mount: intermediate symlinks followed, a relative target inside the
/// directory, an absolute one from its root, and nothing ever leads outside it.
/// </summary>
public sealed class ResolutionTests : IDisposable
{
    private readonly ScratchView view = new();

    /// <summary>/etc/passwd holding "inside", so a path that escaped would read the host's instead.</summary>
    public ResolutionTests()
    {
        Directory.CreateDirectory(view.Host("/etc"));
        File.WriteAllText(view.Host("/etc/passwd"), "inside");
    }

    [Fact]
    public void An_absolute_symlink_target_resolves_from_the_root_of_the_directory()
    {
        File.CreateSymbolicLink(view.Host("/etclink"), "/etc");
        File.CreateSymbolicLink(view.Host("/passwdlink"), "/etc/passwd");

        Assert.Equal(
            """
            {"ok":true,"data":"aW5zaWRl"}
            {"ok":true,"data":"aW5zaWRl"}
            {"ok":true,"entries":[{"name":"passwd","type":"file"}]}

            """,
            view.Exec(
                """{"op":"read","path":"/etclink/passwd"}""",
                """{"op":"read","path":"/passwdlink"}""",
                """{"op":"readdir","path":"/etclink"}"""));
    }

    [Fact]
    public void Dot_dot_stops_at_the_root_in_a_path_and_in_a_symlink_target()
    {
        Directory.CreateDirectory(view.Host("/d"));
        File.CreateSymbolicLink(view.Host("/d/up"), "../../../../../..");
        File.CreateSymbolicLink(view.Host("/d/rel"), "../../../etc/passwd");
        var root = view.Answer("""{"op":"readdir","path":"/"}""");

        Assert.Equal(root, view.Answer("""{"op":"readdir","path":"/../../.."}"""));
        Assert.Equal(root, view.Answer("""{"op":"readdir","path":"/d/up"}"""));
        Assert.Equal(root, view.Answer("""{"op":"readdir","path":"/d/up/.."}"""));
        Assert.Equal("""{"ok":true,"data":"aW5zaWRl"}""", view.Answer("""{"op":"read","path":"/d/rel"}"""));
        Assert.Equal("""{"ok":true,"data":"aW5zaWRl"}""", view.Answer("""{"op":"read","path":"/../etc/passwd"}"""));
        Assert.Equal(view.FileSystem.Lstat("/").Inode, view.FileSystem.Lstat("/d/up/../..").Inode);
    }

    [Fact]
    public void Creating_through_a_dangling_absolute_symlink_creates_inside()
    {
        var name = $"gofer-exec-test-{Guid.NewGuid():N}";
        File.CreateSymbolicLink(view.Host("/dangling"), "/" + name);

        Assert.Equal("""{"ok":true}""", view.Answer("""{"op":"create","path":"/dangling","mode":420}"""));
        Assert.True(File.Exists(view.Host("/" + name)));
        Assert.False(File.Exists("/" + name));
    }

    [Fact]
    public void Intermediate_symlinks_are_followed_by_calls_on_names()
    {
        Directory.CreateDirectory(view.Host("/real"));
        File.CreateSymbolicLink(view.Host("/via"), "/real");

        Assert.Equal(
            """
            {"ok":true}
            {"ok":true}
            {"ok":true}
            {"ok":true}
            {"ok":true}
            {"ok":true,"entries":[{"name":"fifo","type":"fifo"},{"name":"moved","type":"dir"},{"name":"s","type":"symlink"}]}
            {"ok":true}

            """,
            view.Exec(
                """{"op":"mkdir","path":"/via/sub","mode":493}""",
                """{"op":"mkfifo","path":"/via/fifo","mode":420}""",
                """{"op":"symlink","target":"/etc","path":"/via/s"}""",
                """{"op":"rename","from":"/via/sub","to":"/real/moved"}""",
                """{"op":"link","from":"/via/s/passwd","to":"/via/s/hard"}""",
                """{"op":"readdir","path":"/real"}""",
                """{"op":"unlink","path":"/via/s/hard"}"""));
        Assert.Equal("inside", File.ReadAllText(view.Host("/etc/passwd")));
    }

    [Fact]
    public void A_trailing_slash_follows_a_final_symlink_and_still_stays_inside()
    {
        // On the host, /etc/passwd is a file, so "escape/" would be ENOTDIR; inside, it resolves to
        // the directory's /etc, which holds no "shadow-of-nothing".
        File.CreateSymbolicLink(view.Host("/escape"), "/etc/passwd");
        File.CreateSymbolicLink(view.Host("/missing"), "/etc/nothing-here");
        File.CreateSymbolicLink(view.Host("/etclink"), "/etc");

        Assert.Equal(
            """
            {"ok":false,"errno":"ENOTDIR"}
            {"ok":false,"errno":"ENOENT"}
            {"ok":false,"errno":"ENOENT"}
            {"ok":true,"type":"dir","mode":511,"size":4096,"nlink":2,"uid":0,"gid":0}
            {"ok":false,"errno":"EPERM"}

            """,
            view.Exec(
                """{"op":"lstat","path":"/escape/"}""",
                """{"op":"lstat","path":"/missing/"}""",
                """{"op":"link","from":"/missing/","to":"/x"}""",
                """{"op":"lstat","path":"/etclink/"}""",
                """{"op":"link","from":"/etclink/","to":"/x"}"""));
    }

    [Fact]
    public void Calls_on_the_file_itself_act_on_a_final_symlink_and_not_its_target()
    {
        File.CreateSymbolicLink(view.Host("/link"), "/etc/passwd");

        Assert.Equal(
            """
            {"ok":true}
            {"ok":true,"type":"symlink","mode":511,"size":11,"nlink":1,"uid":7,"gid":8}
            {"ok":true,"type":"file","mode":438,"size":6,"nlink":1,"uid":0,"gid":0}
            {"ok":true,"target":"/etc/passwd"}
            {"ok":true}
            {"ok":true,"type":"file","mode":384,"size":6,"nlink":1,"uid":0,"gid":0}
            {"ok":true,"type":"symlink","mode":511,"size":11,"nlink":1,"uid":7,"gid":8}
            {"ok":true}
            {"ok":true,"data":"aW4="}

            """,
            view.Exec(
                """{"op":"chown","path":"/link","uid":7,"gid":8}""",
                """{"op":"lstat","path":"/link"}""",
                """{"op":"stat","path":"/link"}""",
                """{"op":"readlink","path":"/link"}""",
                """{"op":"chmod","path":"/link","mode":384}""",
                """{"op":"lstat","path":"/etc/passwd"}""",
                """{"op":"lstat","path":"/link"}""",
                """{"op":"truncate","path":"/link","size":2}""",
                """{"op":"read","path":"/etc/passwd"}"""));
    }

    /// <remarks>user.* xattrs are for files and directories only: on a symlink, reading finds none and writing is EPERM.</remarks>
    [Fact]
    public void Xattrs_are_those_of_the_final_component_itself()
    {
        Directory.CreateDirectory(view.Host("/d"));
        File.CreateSymbolicLink(view.Host("/l"), "/d");

        Assert.Equal(
            """
            {"ok":true}
            {"ok":true,"value":"eA=="}
            {"ok":true,"names":[]}
            {"ok":true,"names":["user.x"]}
            {"ok":false,"errno":"EPERM"}

            """,
            view.Exec(
                """{"op":"setxattr","path":"/l/","name":"user.x","value":"eA=="}""",
                """{"op":"getxattr","path":"/d","name":"user.x"}""",
                """{"op":"listxattr","path":"/l"}""",
                """{"op":"listxattr","path":"/l/"}""",
                """{"op":"removexattr","path":"/l","name":"user.x"}"""));
    }

    [Fact]
    public void Dot_and_dot_dot_in_the_middle_are_the_kernel_s()
    {
        Directory.CreateDirectory(view.Host("/d"));

        Assert.Equal("""{"ok":true}""", view.Answer("""{"op":"mkdir","path":"/d/./../new","mode":493}"""));
        Assert.True(Directory.Exists(view.Host("/new")));
    }

    [Fact]
    public void Opening_a_directory_that_is_not_there_or_not_a_directory_fails_with_its_errno()
    {
        var missing = Assert.Throws<ErrnoException>(() => HostDirectoryFileSystem.Open(view.Host("/missing")));
        var file = Assert.Throws<ErrnoException>(() => HostDirectoryFileSystem.Open(view.Host("/etc/passwd")));

        Assert.Equal((Errno.ENOENT, Errno.ENOTDIR), (missing.Errno, file.Errno));
    }

    public void Dispose() => view.Dispose();
}
