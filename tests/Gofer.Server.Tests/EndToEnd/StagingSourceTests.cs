using System.Diagnostics;
using System.Text.Json.Nodes;
using Gofer.Native;
using Gofer.Protocol.V1;
using Gofer.Sentry.Launch;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Gofer.Server.Tests.EndToEnd;

/// <summary>
/// Where staging gets its sources. The staging race: a layer directory swapped for a symlink (renameat2 RENAME_EXCHANGE in a
/// tight loop, as a user who can write the layer's parent directory would) while the gofer starts
/// on it, again and again. Each start is refused with one line, or serves the very directory it
/// checked; what the symlink leads to is never served.
/// </summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class StagingSourceTests(PublishedGofer gofer, ITestOutputHelper output)
{
    // About a minute and a half of starts on a loaded two-core machine (300 took 127 s).
    private const int Starts = 250;

    private const string Validated = "validated\n";
    private const string Secret = "host secret\n";
    private const string Refusal = "leads through the symlink";

    [Fact]
    public async Task A_layer_swapped_for_a_symlink_while_starting_is_refused_or_served_as_checked()
    {
        using var bundle = SwapBundle(out var lowerPath);
        using var swapper = new Swapper(bundle.Combine("swap"));
        var (served, refused) = (0, 0);
        var unexpected = new List<string>();
        var clock = Stopwatch.StartNew();

        for (var start = 0; start < Starts && unexpected.Count == 0; start++)
        {
            GoferServerProcess process;
            try
            {
                process = await GoferServerProcess.StartAsync(gofer.Binary, bundle.Path, bundle.Combine("gofer.sock"));
            }
            catch (GoferStartException e)
            {
                var lines = e.Stderr.TrimEnd('\n').Split('\n');
                if (e.ExitCode == 1 && lines.Length == 1
                    && lines[0] == $"gofer: mount /data: lowerdir \"{lowerPath}\": {Refusal} \"{lowerPath}\", which users other than root could replace: name what it leads to instead")
                {
                    refused++;
                }
                else
                {
                    unexpected.Add($"start {start} exited {e.ExitCode}: {e.Stderr}");
                }

                continue;
            }

            await using (process)
            {
                var content = await ReadLowerMarker(process);
                if (content == Validated)
                {
                    served++;
                }
                else
                {
                    unexpected.Add($"start {start} served {content}");
                }
            }
        }

        var swaps = swapper.Stop();
        output.WriteLine($"{served + refused + unexpected.Count} starts in {clock.Elapsed.TotalSeconds:F0} s while the layer was swapped {swaps} times: {served} served the checked directory, {refused} refused, {unexpected.Count} anything else");
        Assert.Empty(unexpected);
        Assert.Equal(Starts, served + refused);

        // The swap loop runs throughout, so the walk meets the directory and the symlink alike.
        Assert.True(served > 0, $"no start served ({refused} refused)");
        Assert.True(refused > 0, $"no start was refused ({served} served)");
    }

    [Fact]
    public void An_upper_that_is_the_lower_bound_elsewhere_is_refused_by_check()
    {
        // A path-string comparison sees two separate directories; their opened descriptors are one file.
        using var bundle = new TempDirectory("gofer-alias-");
        bundle.Make("rootfs");
        bundle.Make("lower");
        bundle.Make("upper");
        bundle.Make("work");
        WriteConfig(bundle, $"lowerdir={bundle.Combine("lower")},upperdir={bundle.Combine("upper")},workdir={bundle.Combine("work")}");

        // The bind exists only in a private mount namespace, where check runs: the host never sees it.
        var (exit, stdout, _) = Tool.Run(
            "unshare", "--mount", "--propagation", "private", "sh", "-c", "mount --bind \"$1\" \"$2\" && exec \"$3\" check --bundle \"$4\"", "sh",
            bundle.Combine("lower"), bundle.Combine("upper"), gofer.Binary, bundle.Path);

        Assert.Equal(1, exit);
        Assert.Contains($"upperdir \"{bundle.Combine("upper")}\": is the same directory as lowerdir \"{bundle.Combine("lower")}\"", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rootless_gofer_follows_symlinks_of_host_root_but_not_of_others()
    {
        // In a user namespace made by an ordinary user, host root shows as the overflow uid.
        using var bundle = new TempDirectory("gofer-userns-");
        bundle.Make("rootfs");
        bundle.Make("dir");
        File.CreateSymbolicLink(bundle.Combine("roots"), "dir");
        File.CreateSymbolicLink(Path.Combine(bundle.Make("open"), "link"), bundle.Combine("dir"));
        Tool.Check("chmod", "0755", bundle.Path);
        Tool.Check("chmod", "0777", bundle.Combine("open"));
        string Check(string source)
        {
            WriteConfig(bundle, null, source);
            var (_, stdout, stderr) = Tool.Run("setpriv", "--reuid", "1000", "--regid", "1000", "--clear-groups", "unshare", "--user", "--map-root-user", gofer.Binary, "check", "--bundle", bundle.Path);
            return stdout + stderr;
        }

        Assert.Contains("problems: none", Check("roots"), StringComparison.Ordinal);
        Assert.Contains($"leads through the symlink \"{bundle.Combine("open", "link")}\"", Check("open/link"), StringComparison.Ordinal);
    }

    /// <summary>
    /// A bundle whose overlay's lowerdir is <c>swap/lower</c>, in a directory another user (nobody)
    /// owns, next to <c>swap/decoy</c>, a symlink to a directory with a marker of the same name.
    /// </summary>
    private static TempDirectory SwapBundle(out string lowerPath)
    {
        var bundle = new TempDirectory("gofer-swap-");
        bundle.Make("rootfs");
        bundle.Make("upper");
        bundle.Make("work");
        File.WriteAllText(Path.Combine(bundle.Make("swap", "lower"), "marker.txt"), Validated);
        File.WriteAllText(Path.Combine(bundle.Make("secret"), "marker.txt"), Secret);
        File.CreateSymbolicLink(bundle.Combine("swap", "decoy"), bundle.Combine("secret"));
        Tool.Check("chown", "65534:65534", bundle.Combine("swap"));
        lowerPath = bundle.Combine("swap", "lower");
        WriteConfig(bundle, $"lowerdir={lowerPath},upperdir={bundle.Combine("upper")},workdir={bundle.Combine("work")}");
        return bundle;
    }

    /// <summary>config.json with one mount at /data: an overlay with these options, or a bind of <paramref name="bindSource"/>.</summary>
    private static void WriteConfig(TempDirectory bundle, string? overlayOptions, string? bindSource = null)
    {
        var config = new JsonObject
        {
            ["ociVersion"] = "1.0.2",
            ["root"] = new JsonObject { ["path"] = "rootfs", ["readonly"] = true },
            ["mounts"] = new JsonArray(overlayOptions is null
                ? new JsonObject { ["destination"] = "/data", ["type"] = "bind", ["source"] = bindSource, ["options"] = new JsonArray("rbind") }
                : new JsonObject { ["destination"] = "/data", ["type"] = "overlay", ["source"] = "overlay", ["options"] = new JsonArray(overlayOptions) }),
        };
        File.WriteAllText(bundle.Combine("config.json"), config.ToJsonString());
    }

    /// <summary>What a client reads as <c>marker.txt</c> of the served lowerdir, or what went wrong.</summary>
    private static async Task<string> ReadLowerMarker(GoferServerProcess process)
    {
        var client = new FileService.FileServiceClient(process.Connect());
        var overlay = (await client.ListMountsAsync(new ListMountsRequest())).Mounts.Single(m => m.Destination == "/data");
        var lower = overlay.Layers.Single(l => l.Role == Protocol.V1.LayerRole.Lower);
        var root = await client.AttachAsync(new AttachRequest { Layer = lower.Id });
        var walk = await client.WalkAsync(new WalkRequest { Directory = root.Handle, Names = { ByteString.CopyFromUtf8("marker.txt") }, Handles = WalkHandles.Last });
        if (walk.Status != WalkStatus.Complete)
        {
            return $"a lower without marker.txt ({walk.Status})";
        }

        var open = await client.OpenAsync(new OpenRequest { Handle = walk.Entries[^1].Handle });
        return (await client.ReadAsync(new ReadRequest { Handle = open.Handle, Length = 4096 })).Data.ToStringUtf8();
    }

    /// <summary>A thread exchanging <c>lower</c> and <c>decoy</c> in a directory as fast as it can until stopped.</summary>
    private sealed class Swapper : IDisposable
    {
        private readonly FileDescriptor directory;
        private readonly Thread thread;
        private volatile bool stop;
        private long swaps;
        private int error;

        public Swapper(string path)
        {
            using var root = Syscalls.OpenProcessRoot(out var rootError) ?? throw new ErrnoException(rootError, "open", "/");
            directory = Syscalls.OpenAt(root, path, Syscalls.O_PATH | Syscalls.O_DIRECTORY, 0, out var openError) ?? throw new ErrnoException(openError, "open", path);
            thread = new Thread(Run) { IsBackground = true, Name = "layer swapper" };
            thread.Start();
        }

        /// <summary>Stops the loop, puts the directory back under its name, and returns how many exchanges were made.</summary>
        public long Stop()
        {
            stop = true;
            thread.Join();
            Assert.Equal(0, error);
            if (swaps % 2 == 1)
            {
                ErrnoException.ThrowIfError(Syscalls.RenameAt2(directory, "lower", "decoy", Syscalls.RENAME_EXCHANGE), "rename", "lower");
            }

            return swaps;
        }

        public void Dispose()
        {
            if (!stop)
            {
                Stop();
            }

            directory.Dispose();
        }

        private void Run()
        {
            while (!stop)
            {
                var r = Syscalls.RenameAt2(directory, "lower", "decoy", Syscalls.RENAME_EXCHANGE);
                if (r < 0)
                {
                    error = -r;
                    return;
                }

                swaps++;
            }
        }
    }
}
