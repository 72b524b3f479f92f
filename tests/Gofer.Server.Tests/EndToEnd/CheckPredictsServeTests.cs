using System.Text.Json.Nodes;
using Gofer.Native;
using Gofer.Sentry.Launch;
using Gofer.Server.Tests.Service;

namespace Gofer.Server.Tests.EndToEnd;

/// <summary>
/// <c>gofer check</c> says what <c>gofer serve</c> will do: for every spec of the table, check's exit
/// status is serve's outcome (0 when it serves), a refusal's problem lines are the same in both, and
/// serve never gets as far as failing while staging (exit 3).
/// </summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class CheckPredictsServeTests(PublishedGofer gofer)
{
    /// <summary>Case name → the spec's mounts (sources relative to the bundle) and whether it must serve.</summary>
    private static readonly Dictionary<string, (Func<JsonObject[]> Mounts, string? RootPath, bool Serves)> Cases = new()
    {
        ["file binds under the rootfs, rw and ro"] = (() => [Bind("/etc/hosts", "files/hosts", "bind", "rprivate"), Bind("/etc/resolv.conf", "files/resolv.conf", "bind", "ro")], null, true),
        ["a bind under another bind"] = (() => [Bind("/data", "dir", "rbind"), Bind("/data/sub", "dir2", "rbind", "ro"), Bind("/data/sub/hosts", "files/hosts", "bind")], null, true),
        ["a socket bind"] = (() => [Bind("/run/api.sock", "special/api.sock", "bind")], null, true),
        ["a FIFO bind"] = (() => [Bind("/run/fifo", "special/fifo", "bind")], null, true),
        ["a device bind"] = (() => [Bind("/dev/null", "/dev/null", "rbind", "nosuid", "noexec")], null, true),
        ["a symlink to a file"] = (() => [Bind("/etc/hosts", "links/to-hosts", "bind")], null, true),
        ["runtime flags"] = (() => [Bind("/data", "dir", "rbind", "rslave", "z", "Z", "nodev", "relatime", "rro")], null, true),
        ["a lowerdir through a symlink of root's"] = (() => [Overlay("/m", "lowerdir=links/to-dir")], null, true),
        ["a symlink in another user's directory"] = (() => [Bind("/data", "theirs/to-dir", "rbind")], null, false),
        ["a missing source"] = (() => [Bind("/data", "missing", "rbind")], null, false),
        ["a dangling symlink"] = (() => [Bind("/etc/hosts", "links/dangling", "bind")], null, false),
        ["a file as lowerdir"] = (() => [Overlay("/m", "lowerdir=files/hosts")], null, false),
        ["a socket as lowerdir"] = (() => [Overlay("/m", "lowerdir=special/api.sock")], null, false),
        ["an idmapped bind"] = (() => [Bind("/data", "dir", "rbind", "idmap")], null, false),
        ["an overlay-volume marker on a bind"] = (() => [Bind("/data", "dir", "rbind", "O")], null, false),
        ["an unknown bind option"] = (() => [Bind("/data", "dir", "rbind", "frobnicate")], null, false),
        ["a file as the rootfs"] = (() => [], "files/hosts", false),
        ["a missing rootfs"] = (() => [], "nowhere", false),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Checks_verdict_is_serves_outcome(string name)
    {
        var (mounts, rootPath, serves) = Cases[name];
        using var bundle = MakeBundle(mounts(), rootPath ?? "rootfs");

        var (checkExit, plan, _) = Tool.Run(gofer.Binary, "check", "--bundle", bundle.Path);
        // Check lists its problems last, one per line indented under "problems: N".
        var lines = plan.Split('\n');
        var problemsAt = Array.FindIndex(lines, l => l.StartsWith("problems: ", StringComparison.Ordinal));
        Assert.True(problemsAt >= 0, plan);
        var checkProblems = lines[(problemsAt + 1)..].Where(l => l.Length > 0).Select(l => l[2..]).ToList();

        var child = await ReadyChild.StartAsync(gofer.Binary, ["serve", "--bundle", bundle.Path, "--socket", bundle.Combine("gofer.sock")]);
        if (child.Ready)
        {
            ErrnoException.ThrowIfError(Syscalls.Kill(child.Process.Id, GoferServerProcess.Sigterm), "kill");
        }

        await child.Process.WaitForExitAsync();
        var serveExit = child.Ready ? 0 : child.Process.ExitCode;
        var serveProblems = (await child.Stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.StartsWith("gofer: ", StringComparison.Ordinal)).Select(l => l["gofer: ".Length..]).ToList();
        child.Process.Dispose();

        Assert.Equal(serves ? 0 : 1, checkExit);
        Assert.True(serveExit == checkExit, $"check exited {checkExit} ({string.Join("; ", checkProblems)}), serve {serveExit}: {await child.Stderr}");
        Assert.Equal(checkProblems, serves ? [] : serveProblems);
        Assert.Equal(serves, checkProblems.Count == 0);
    }

    private static JsonObject Bind(string destination, string source, params string[] options) => new()
    {
        ["destination"] = destination,
        ["type"] = "bind",
        ["source"] = source,
        ["options"] = new JsonArray([.. options.Select(o => JsonValue.Create(o))]),
    };

    private static JsonObject Overlay(string destination, params string[] options) => new()
    {
        ["destination"] = destination,
        ["type"] = "overlay",
        ["source"] = "overlay",
        ["options"] = new JsonArray([.. options.Select(o => JsonValue.Create(o))]),
    };

    /// <summary>A bundle with every kind of source the cases name, and the given mounts.</summary>
    private static TempDirectory MakeBundle(JsonObject[] mounts, string rootPath)
    {
        var bundle = new TempDirectory("gofer-predict-");
        bundle.Make("rootfs", "etc");
        bundle.Make("dir");
        bundle.Make("dir2");
        File.WriteAllText(Path.Combine(bundle.Make("files"), "hosts"), "127.0.0.1 localhost\n");
        File.WriteAllText(bundle.Combine("files", "resolv.conf"), "nameserver 192.0.2.53\n");
        bundle.Make("special");
        // A socket file as bind(2) leaves it (.NET removes the file when its socket closes).
        OnDisk.Mknod(bundle.Combine("special", "api.sock"), FileStatus.Socket | 420 /* 0644 */);
        Tool.Check("mkfifo", bundle.Combine("special", "fifo"));
        // The symlinks' directory is root's and writable by root alone, whatever the test process's
        // umask is now (in-process gofers set it to 0, which would make it writable by anyone and
        // every symlink in it refused).
        var links = bundle.Make("links");
        Tool.Check("chmod", "0755", links);
        File.CreateSymbolicLink(Path.Combine(links, "to-hosts"), "../files/hosts");
        File.CreateSymbolicLink(bundle.Combine("links", "dangling"), "../files/none");
        File.CreateSymbolicLink(bundle.Combine("links", "to-dir"), "../dir");

        // A directory another user can write: a symlink there could be swapped at any moment.
        File.CreateSymbolicLink(Path.Combine(bundle.Make("theirs"), "to-dir"), "../dir");
        Tool.Check("chown", "65534:65534", bundle.Combine("theirs"));
        var config = new JsonObject
        {
            ["ociVersion"] = "1.0.2",
            ["root"] = new JsonObject { ["path"] = rootPath },
            ["mounts"] = new JsonArray([.. mounts]),
        };
        File.WriteAllText(bundle.Combine("config.json"), config.ToJsonString());
        return bundle;
    }
}
