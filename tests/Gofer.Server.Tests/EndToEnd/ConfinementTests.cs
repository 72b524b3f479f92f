using Gofer.Native;
using Gofer.Protocol.V1;
using Gofer.Sentry.Launch;
using Google.Protobuf;

namespace Gofer.Server.Tests.EndToEnd;

/// <summary>
/// A serving gofer holds no more than file service needs, in every one of its threads, and no
/// descriptor that leads out of its layers; the socket it made is still removed when it ends.
/// </summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class ConfinementTests(PublishedGofer gofer)
{
    // Capability bits (capability.h): CHOWN 0, DAC_OVERRIDE 1, FOWNER 3, FSETID 4, SYS_ADMIN 21.
    private const ulong FileService = (1UL << 0) | (1UL << 1) | (1UL << 3) | (1UL << 4);
    private const ulong TrustedXattrs = FileService | (1UL << 21);

    [Theory]
    [InlineData(false, TrustedXattrs)]
    [InlineData(true, FileService)]
    public async Task Every_thread_holds_exactly_the_serving_capabilities_and_no_new_privs(bool userXattr, ulong expected)
    {
        using var bundle = new OverlayBundle();
        if (userXattr)
        {
            bundle.Write(OverlayBundle.DefaultOptions + ",userxattr");
        }

        await using var process = await GoferServerProcess.StartAsync(gofer.Binary, bundle.Path, bundle.Directory.Combine("gofer.sock"));

        // Kestrel's threads are made by now: the ones that serve, not only those of start-up.
        var client = new FileService.FileServiceClient(process.Connect());
        Assert.Equal(3, (await client.ListMountsAsync(new ListMountsRequest())).Mounts.Count);
        var threads = ThreadPrivileges.OfEveryThread(process.Pid);
        Assert.True(threads.Count > 1, $"{threads.Count} thread");
        foreach (var thread in threads)
        {
            var sets = (thread.Effective, thread.Permitted, thread.Inheritable, thread.Bounding, thread.Ambient, thread.NoNewPrivs);
            Assert.True(sets == (expected, expected, expected, expected, expected, 1), $"thread {thread.Tid}: {sets}\n{ThreadPrivileges.Lines(process.Pid)}");
        }
    }

    [Fact]
    public async Task Every_descriptor_is_a_layers_file_a_socket_a_pipe_an_anonymous_inode_or_urandom()
    {
        using var bundle = new OverlayBundle();
        await using var process = await GoferServerProcess.StartAsync(gofer.Binary, bundle.Path, bundle.Directory.Combine("gofer.sock"));
        var client = new FileService.FileServiceClient(process.Connect());

        // Handles open on every layer, and a file of one opened, so the table holds layer files too.
        var mounts = (await client.ListMountsAsync(new ListMountsRequest())).Mounts;
        foreach (var layer in mounts.SelectMany(m => m.Layers))
        {
            await client.AttachAsync(new AttachRequest { Layer = layer.Id });
        }

        var root = await client.AttachAsync(new AttachRequest { Layer = mounts[0].Layers[0].Id });
        var walk = await client.WalkAsync(new WalkRequest { Directory = root.Handle, Names = { ByteString.CopyFromUtf8("etc"), ByteString.CopyFromUtf8("hostname") }, Handles = WalkHandles.Last });
        await client.OpenAsync(new OpenRequest { Handle = walk.Entries[^1].Handle });

        var staging = new[] { "/m0/root", "/m1/lower0", "/m1/lower1", "/m1/upper", "/m1/work", "/m2/bind" };
        var links = Directory.GetFiles($"/proc/{process.Pid}/fd").Select(fd => (Fd: Path.GetFileName(fd), Target: new FileInfo(fd).LinkTarget ?? "")).ToList();
        Assert.Contains(links, l => l.Target == "/m0/root/etc/hostname");
        foreach (var (fd, target) in links)
        {
            var allowed = target.StartsWith("socket:[", StringComparison.Ordinal)
                || target.StartsWith("pipe:[", StringComparison.Ordinal)
                || target.StartsWith("anon_inode:", StringComparison.Ordinal)
                || target == "/dev/urandom"
                || staging.Any(s => target == s || target.StartsWith(s + "/", StringComparison.Ordinal));
            Assert.True(allowed, $"descriptor {fd} -> {target}\n{string.Join('\n', links)}");
        }
    }

    [Theory]
    [InlineData(GoferServerProcess.Sigterm)]
    [InlineData(9)]
    public async Task The_socket_is_removed_when_the_gofer_ends_by(int signal)
    {
        using var bundle = new OverlayBundle();
        var socket = bundle.Directory.Combine("gofer.sock");
        var child = await ReadyChild.StartAsync(gofer.Binary, ["serve", "--bundle", bundle.Path, "--socket", socket]);
        Assert.True(child.Ready, child.Ready ? "" : await child.Stderr);
        Assert.True(File.Exists(socket));

        // The keeper: the gofer's one child, with no capability (the directory is root's, 0700) and not dumpable.
        var keeper = Assert.Single(ChildrenOf(child.Process.Id));
        Assert.Equal((0UL, 0UL, 0UL, 1), ThreadPrivileges.OfEveryThread(keeper).Select(t => (t.Effective, t.Permitted, t.Bounding, t.NoNewPrivs)).Distinct().Single());

        ErrnoException.ThrowIfError(Syscalls.Kill(child.Process.Id, signal), "kill");
        await child.Process.WaitForExitAsync();

        // The keeper holds the gofer's stderr until it has removed the socket, then ends.
        await child.Stderr;
        Assert.False(File.Exists(socket));
        child.Process.Dispose();
    }

    /// <summary>The pids whose parent is <paramref name="pid"/> (the fourth field of /proc/N/stat, after the command's parentheses).</summary>
    private static IEnumerable<int> ChildrenOf(int pid)
    {
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var candidate))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue;
            }

            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields[1] == pid.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                yield return candidate;
            }
        }
    }
}
