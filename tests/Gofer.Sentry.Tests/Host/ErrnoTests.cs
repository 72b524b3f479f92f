using Gofer.Server.Tests;

namespace Gofer.Sentry.Tests.Host;

/// <summary>
/// The errno of every refusal is the kernel's own. Each expectation below was checked against the
/// plain system call on an ordinary directory (python's os module on ext4, kernel 6.18).
/// </summary>
public sealed class ErrnoTests : IDisposable
{
    private readonly ScratchView view = new();

    /// <summary>/dir (empty), /full/x, /file, /fifo, /loop → loop, /dangling → /nowhere, /abs → /dir, /filelink → file.</summary>
    public ErrnoTests()
    {
        Directory.CreateDirectory(view.Host("/dir"));
        Directory.CreateDirectory(view.Host("/full"));
        File.WriteAllText(view.Host("/full/x"), "x");
        File.WriteAllText(view.Host("/file"), "data");
        Tool.Check("mkfifo", view.Host("/fifo"));
        File.CreateSymbolicLink(view.Host("/loop"), "loop");
        File.CreateSymbolicLink(view.Host("/dangling"), "/nowhere");
        File.CreateSymbolicLink(view.Host("/abs"), "/dir");
        File.CreateSymbolicLink(view.Host("/filelink"), "file");
    }

    [Theory]
    [InlineData("""{"op":"lstat","path":"/missing"}""", "ENOENT")]
    [InlineData("""{"op":"lstat","path":"/file/x"}""", "ENOTDIR")]
    [InlineData("""{"op":"lstat","path":"/file/"}""", "ENOTDIR")]
    [InlineData("""{"op":"lstat","path":"/loop/"}""", "ELOOP")]
    [InlineData("""{"op":"lstat","path":"/loop/x"}""", "ELOOP")]
    [InlineData("""{"op":"stat","path":"/loop"}""", "ELOOP")]
    [InlineData("""{"op":"stat","path":"/dangling"}""", "ENOENT")]
    [InlineData("""{"op":"readdir","path":"/file"}""", "ENOTDIR")]
    [InlineData("""{"op":"readdir","path":"/missing"}""", "ENOENT")]
    [InlineData("""{"op":"read","path":"/dir"}""", "EISDIR")]
    [InlineData("""{"op":"read","path":"/dir","length":0}""", "EISDIR")]
    [InlineData("""{"op":"read","path":"/fifo"}""", "ESPIPE")]
    [InlineData("""{"op":"read","path":"/file","offset":-1}""", "EINVAL")]
    [InlineData("""{"op":"read","path":"/dangling"}""", "ENOENT")]
    [InlineData("""{"op":"write","path":"/dir","data":""}""", "EISDIR")]
    [InlineData("""{"op":"write","path":"/fifo","data":"eA=="}""", "ENXIO")]
    [InlineData("""{"op":"write","path":"/file","offset":-1,"data":"eA=="}""", "EINVAL")]
    [InlineData("""{"op":"write","path":"/missing","data":"eA=="}""", "ENOENT")]
    [InlineData("""{"op":"append","path":"/dir","data":"eA=="}""", "EISDIR")]
    [InlineData("""{"op":"create","path":"/dir","mode":420}""", "EISDIR")]
    [InlineData("""{"op":"create","path":"/","mode":420}""", "EISDIR")]
    [InlineData("""{"op":"create","path":"/file","mode":420,"excl":true}""", "EEXIST")]
    [InlineData("""{"op":"create","path":"/dangling","mode":420,"excl":true}""", "EEXIST")]
    [InlineData("""{"op":"create","path":"/missing/x","mode":420}""", "ENOENT")]
    [InlineData("""{"op":"create","path":"/file/","mode":420}""", "EISDIR")]
    [InlineData("""{"op":"create","path":"/file/x","mode":420}""", "ENOTDIR")]
    [InlineData("""{"op":"create","path":"/loop","mode":420}""", "ELOOP")]
    [InlineData("""{"op":"truncate","path":"/dir","size":0}""", "EISDIR")]
    [InlineData("""{"op":"truncate","path":"/fifo","size":0}""", "EINVAL")]
    [InlineData("""{"op":"truncate","path":"/file","size":-1}""", "EINVAL")]
    [InlineData("""{"op":"truncate","path":"/missing","size":-1}""", "EINVAL")]
    [InlineData("""{"op":"truncate","path":"/missing","size":0}""", "ENOENT")]
    [InlineData("""{"op":"mkdir","path":"/file","mode":493}""", "EEXIST")]
    [InlineData("""{"op":"mkdir","path":"/dangling","mode":493}""", "EEXIST")]
    [InlineData("""{"op":"mkdir","path":"/loop/","mode":493}""", "EEXIST")]
    [InlineData("""{"op":"mkdir","path":"/","mode":493}""", "EEXIST")]
    [InlineData("""{"op":"mkdir","path":"/dir/.","mode":493}""", "EEXIST")]
    [InlineData("""{"op":"mkdir","path":"/dir/..","mode":493}""", "EEXIST")]
    [InlineData("""{"op":"mkdir","path":"/missing/x","mode":493}""", "ENOENT")]
    [InlineData("""{"op":"mkdir","path":"/file/x","mode":493}""", "ENOTDIR")]
    [InlineData("""{"op":"rmdir","path":"/full"}""", "ENOTEMPTY")]
    [InlineData("""{"op":"rmdir","path":"/file"}""", "ENOTDIR")]
    [InlineData("""{"op":"rmdir","path":"/file/"}""", "ENOTDIR")]
    [InlineData("""{"op":"rmdir","path":"/abs"}""", "ENOTDIR")]
    [InlineData("""{"op":"rmdir","path":"/loop/"}""", "ENOTDIR")]
    [InlineData("""{"op":"rmdir","path":"/"}""", "EBUSY")]
    [InlineData("""{"op":"rmdir","path":"//"}""", "EBUSY")]
    [InlineData("""{"op":"rmdir","path":"/dir/."}""", "EINVAL")]
    [InlineData("""{"op":"rmdir","path":"/dir/.."}""", "ENOTEMPTY")]
    [InlineData("""{"op":"rmdir","path":"/missing"}""", "ENOENT")]
    [InlineData("""{"op":"unlink","path":"/dir"}""", "EISDIR")]
    [InlineData("""{"op":"unlink","path":"/"}""", "EISDIR")]
    [InlineData("""{"op":"unlink","path":"/dir/."}""", "EISDIR")]
    [InlineData("""{"op":"unlink","path":"/file/"}""", "ENOTDIR")]
    [InlineData("""{"op":"unlink","path":"/loop/"}""", "ENOTDIR")]
    [InlineData("""{"op":"unlink","path":"/missing"}""", "ENOENT")]
    [InlineData("""{"op":"mkfifo","path":"/file","mode":420}""", "EEXIST")]
    [InlineData("""{"op":"mkfifo","path":"/new/","mode":420}""", "ENOENT")]
    [InlineData("""{"op":"rename","from":"/dir","to":"/full"}""", "ENOTEMPTY")]
    [InlineData("""{"op":"rename","from":"/file","to":"/dir"}""", "EISDIR")]
    [InlineData("""{"op":"rename","from":"/dir","to":"/file"}""", "ENOTDIR")]
    [InlineData("""{"op":"rename","from":"/file","to":"/abs","flags":"noreplace"}""", "EEXIST")]
    [InlineData("""{"op":"rename","from":"/full","to":"/full/sub"}""", "EINVAL")]
    [InlineData("""{"op":"rename","from":"/","to":"/x"}""", "EBUSY")]
    [InlineData("""{"op":"rename","from":"/file","to":"/"}""", "EBUSY")]
    [InlineData("""{"op":"rename","from":"/file","to":"/","flags":"noreplace"}""", "EEXIST")]
    [InlineData("""{"op":"rename","from":"/file","to":"/dir/."}""", "EBUSY")]
    [InlineData("""{"op":"rename","from":"/missing","to":"/x"}""", "ENOENT")]
    [InlineData("""{"op":"rename","from":"/file","to":"/missing","flags":"exchange"}""", "ENOENT")]
    [InlineData("""{"op":"link","from":"/dir","to":"/d2"}""", "EPERM")]
    [InlineData("""{"op":"link","from":"/","to":"/d2"}""", "EPERM")]
    [InlineData("""{"op":"link","from":"/file","to":"/dir"}""", "EEXIST")]
    [InlineData("""{"op":"link","from":"/file","to":"/"}""", "EEXIST")]
    [InlineData("""{"op":"link","from":"/file","to":"/dir/."}""", "EEXIST")]
    [InlineData("""{"op":"link","from":"/missing","to":"/x"}""", "ENOENT")]
    [InlineData("""{"op":"link","from":"/file/","to":"/x"}""", "ENOTDIR")]
    [InlineData("""{"op":"symlink","target":"x","path":"/file"}""", "EEXIST")]
    [InlineData("""{"op":"symlink","target":"","path":"/new"}""", "ENOENT")]
    [InlineData("""{"op":"readlink","path":"/file"}""", "EINVAL")]
    [InlineData("""{"op":"readlink","path":"/"}""", "EINVAL")]
    [InlineData("""{"op":"readlink","path":"/filelink/"}""", "ENOTDIR")]
    [InlineData("""{"op":"readlink","path":"/missing"}""", "ENOENT")]
    [InlineData("""{"op":"chmod","path":"/dangling","mode":420}""", "ENOENT")]
    [InlineData("""{"op":"chown","path":"/missing","uid":1,"gid":1}""", "ENOENT")]
    [InlineData("""{"op":"utimes","path":"/missing","atime_ns":0,"mtime_ns":0}""", "ENOENT")]
    [InlineData("""{"op":"getxattr","path":"/file","name":"user.none"}""", "ENODATA")]
    [InlineData("""{"op":"getxattr","path":"/abs","name":"user.none"}""", "ENODATA")]
    [InlineData("""{"op":"setxattr","path":"/abs","name":"user.x","value":""}""", "EPERM")]
    [InlineData("""{"op":"setxattr","path":"/file","name":"user.x","value":"","flags":"replace"}""", "ENODATA")]
    [InlineData("""{"op":"setxattr","path":"/file","name":"bogus","value":""}""", "EOPNOTSUPP")]
    [InlineData("""{"op":"removexattr","path":"/file","name":"user.none"}""", "ENODATA")]
    [InlineData("""{"op":"listxattr","path":"/missing"}""", "ENOENT")]
    [InlineData("""{"op":"tree","path":"/missing"}""", "ENOENT")]
    [InlineData("""{"op":"tree","path":"/loop/"}""", "ELOOP")]
    public void Fails_with_the_errno_of_the_system_call(string request, string errno) =>
        Assert.Equal($$"""{"ok":false,"errno":"{{errno}}"}""", view.Answer(request));

    [Fact]
    public void A_name_longer_than_255_bytes_is_ENAMETOOLONG() =>
        Assert.Equal(
            """{"ok":false,"errno":"ENAMETOOLONG"}""",
            view.Answer($$"""{"op":"mkdir","path":"/{{new string('n', 256)}}","mode":493}"""));

    [Fact]
    public void A_cycle_of_symlinks_in_the_middle_of_a_path_is_ELOOP()
    {
        File.CreateSymbolicLink(view.Host("/ping"), "/pong");
        File.CreateSymbolicLink(view.Host("/pong"), "ping");

        Assert.Equal("""{"ok":false,"errno":"ELOOP"}""", view.Answer("""{"op":"mkdir","path":"/ping/x","mode":493}"""));
    }

    public void Dispose() => view.Dispose();
}
