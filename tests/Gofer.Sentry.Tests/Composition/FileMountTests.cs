using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Gofer.Native;
using Gofer.Sentry.Composition;
using Gofer.Sentry.Launch;
using Gofer.Server.Tests;
using Gofer.Server.Tests.EndToEnd;

namespace Gofer.Sentry.Tests.Composition;

/// <summary>
/// A bind mount of a single file (what every runtime does for /etc/hosts) through the published
/// gofer and the sentry: the view's "/" is that file and holds no names.
/// </summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class FileMountTests(PublishedGofer gofer) : IDisposable
{
    private readonly TempDirectory bundle = MakeBundle();

    private static TempDirectory MakeBundle()
    {
        var bundle = new TempDirectory("gofer-file-mount-");
        bundle.Make("rootfs", "etc");
        File.WriteAllText(bundle.Combine("hosts"), "127.0.0.1 localhost\n");
        File.WriteAllText(bundle.Combine("resolv.conf"), "nameserver 192.0.2.53\n");
        JsonObject Bind(string destination, string source, params string[] options) => new()
        {
            ["destination"] = destination,
            ["type"] = "bind",
            ["source"] = source,
            ["options"] = new JsonArray([.. options.Select(o => JsonValue.Create(o))]),
        };
        var config = new JsonObject
        {
            ["ociVersion"] = "1.0.2",
            ["root"] = new JsonObject { ["path"] = "rootfs" },
            ["mounts"] = new JsonArray(
                Bind("/etc/hosts", "hosts", "bind", "rprivate"),
                Bind("/etc/resolv.conf", "resolv.conf", "bind", "ro")),
        };
        File.WriteAllText(bundle.Combine("config.json"), config.ToJsonString());
        return bundle;
    }

    [Fact]
    public async Task The_view_of_a_file_mount_is_that_file_and_holds_no_names()
    {
        await using var process = await GoferServerProcess.StartAsync(gofer.Binary, bundle.Path, bundle.Combine("gofer.sock"));
        using var view = SentryMounts.Open(process.SocketPath, "/etc/hosts");

        Assert.Equal((FileSystem.FileKind.File, 20L), (view.Stat("/").Kind, view.Stat("/").Size));
        Assert.Equal("127.0.0.1 localhost\n", Encoding.UTF8.GetString(view.Read("/", 0, -1)));
        Assert.Equal(13, view.Append("/", "10.0.0.2 box\n"u8));
        Assert.Equal("127.0.0.1 localhost\n10.0.0.2 box\n", File.ReadAllText(bundle.Combine("hosts")));

        Expect(Errno.ENOTDIR, () => view.ReadDir("/"));
        Expect(Errno.ENOTDIR, () => view.Lstat("/x"));
        Expect(Errno.ENOTDIR, () => view.Lstat("/."));
        Expect(Errno.ENOTDIR, () => view.Mkdir("/d", 493 /* 0755 */));
        Expect(Errno.ENOTDIR, () => view.Create("/f", 420 /* 0644 */, exclusive: true, truncate: false));
        Expect(Errno.EEXIST, () => view.Create("/", 420 /* 0644 */, exclusive: true, truncate: false));
        Expect(Errno.EBUSY, () => view.Unlink("/"));
        Expect(Errno.ENOTDIR, () => view.Rmdir("/"));
        Expect(Errno.ENOTDIR, () => view.Rename("/", "/x", FileSystem.RenameMode.Replace));
        Assert.True(File.Exists(bundle.Combine("hosts")));
    }

    [Fact]
    public async Task A_read_only_file_mount_reads_and_refuses_writes_with_EROFS()
    {
        await using var process = await GoferServerProcess.StartAsync(gofer.Binary, bundle.Path, bundle.Combine("gofer.sock"));
        using var view = SentryMounts.Open(process.SocketPath, "/etc/resolv.conf");

        Assert.Equal("nameserver 192.0.2.53\n", Encoding.UTF8.GetString(view.Read("/", 0, -1)));
        Expect(Errno.EROFS, () => view.Write("/", 0, "x"u8));
        Expect(Errno.EROFS, () => view.Chmod("/", 384 /* 0600 */));
        Assert.Equal("nameserver 192.0.2.53\n", File.ReadAllText(bundle.Combine("resolv.conf")));
    }

    [Fact]
    public async Task Gofer_exec_runs_on_a_file_mount()
    {
        await using var process = await GoferServerProcess.StartAsync(gofer.Binary, bundle.Path, bundle.Combine("gofer.sock"));
        using var exec = Process.Start(new ProcessStartInfo(gofer.Binary, ["exec", "--socket", process.SocketPath, "--mount", "/etc/hosts"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = exec.StandardOutput.ReadToEndAsync();
        var stderr = exec.StandardError.ReadToEndAsync();
        exec.StandardInput.Write(
            """
            {"op":"read","path":"/","offset":0,"length":-1}
            {"op":"readdir","path":"/"}
            {"op":"lstat","path":"/etc"}

            """);
        exec.StandardInput.Close();
        await exec.WaitForExitAsync();

        Assert.Equal((0, ""), (exec.ExitCode, await stderr));
        var lines = (await stdout).Split('\n');
        Assert.Equal(
            [
                $$"""{"ok":true,"data":"{{Convert.ToBase64String("127.0.0.1 localhost\n"u8)}}"}""",
                """{"ok":false,"errno":"ENOTDIR"}""",
                """{"ok":false,"errno":"ENOTDIR"}""",
                "",
            ],
            lines);
    }

    public void Dispose() => bundle.Dispose();

    private static void Expect(int errno, Action action)
    {
        var e = Assert.Throws<ErrnoException>(action);
        Assert.True(e.Errno == errno, $"expected {Errno.Name(errno)}, got: {e.Message}");
    }
}
