using Gofer.Server.Hosting;
using Gofer.Server.Service;
using Gofer.Server.Spec;
using Gofer.Sentry.Connection;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Gofer.Server.Tests.Service;

/// <summary>
/// A gofer served in this process over a real Unix socket, on temporary layers: an overlay mount
/// (two lowers, upper, work) and a bind mount. No namespaces or staging: the layers are opened by
/// their source paths, which is what the file service sees either way.
/// </summary>
public sealed class InProcessGofer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly UnixListener listener;
    private readonly ServedMounts mounts;

    private readonly GrpcChannel channel;

    private InProcessGofer(TempDirectory root, WebApplication app, UnixListener listener, ServedMounts mounts, string socketPath)
    {
        Root = root;
        this.app = app;
        this.listener = listener;
        this.mounts = mounts;
        SocketPath = socketPath;
        channel = OpenChannel();
        Client = new Protocol.V1.FileService.FileServiceClient(channel);
    }

    /// <summary>A connection opened at start, closed with the gofer.</summary>
    public Protocol.V1.FileService.FileServiceClient Client { get; }

    public TempDirectory Root { get; }

    public string SocketPath { get; }

    public string Lower0 => Root.Combine("lower0");

    public string Lower1 => Root.Combine("lower1");

    public string Upper => Root.Combine("upper");

    public string Work => Root.Combine("work");

    public string Bind => Root.Combine("bind");

    /// <summary>Layer ids as the plan assigns them.</summary>
    public const uint Lower0Id = 1, Lower1Id = 2, UpperId = 3, WorkId = 4, BindId = 5;

    public static Task<InProcessGofer> StartAsync() => StartAsync(DefaultPlan);

    /// <summary>A gofer on the default layers that closes silent connections after <paramref name="deadlines"/>.</summary>
    public static Task<InProcessGofer> StartAsync(ConnectionDeadlines deadlines) => StartAsync(DefaultPlan, deadlines);

    /// <summary>A gofer serving the plan <paramref name="planOf"/> makes of a new temporary directory (its layers made there by it).</summary>
    public static async Task<InProcessGofer> StartAsync(Func<TempDirectory, MountPlan> planOf, ConnectionDeadlines? deadlines = null)
    {
        ArgumentNullException.ThrowIfNull(planOf);
        var root = new TempDirectory();
        var plan = planOf(root);
        var mounts = ServedMounts.Open(plan, layer => layer.SourcePath);
        var socketPath = root.Combine("gofer.sock");
        var listener = UnixListener.Bind(socketPath);
        var app = GoferHost.Build(mounts, listener, LogLevel.Warning, deadlines: deadlines);
        await app.StartAsync();
        return new InProcessGofer(root, app, listener, mounts, socketPath);
    }

    private static MountPlan DefaultPlan(TempDirectory root)
    {
        foreach (var d in new[] { "lower0", "lower1", "upper", "work", "bind" })
        {
            root.Make(d);
        }

        var overlay = new OverlayOptions([root.Combine("lower0"), root.Combine("lower1")], root.Combine("upper"), root.Combine("work"), false, RedirectDir.Off, false);
        return new MountPlan(root.Path, [
            new PlannedMount(0, "/data", MountKind.Overlay, ["lowerdir=…"], overlay, [
                new LayerPlan(1, LayerRole.Lower, root.Combine("lower0"), "/m0/lower0", true, false),
                new LayerPlan(2, LayerRole.Lower, root.Combine("lower1"), "/m0/lower1", true, false),
                new LayerPlan(3, LayerRole.Upper, root.Combine("upper"), "/m0/upper", false, false),
                new LayerPlan(4, LayerRole.Work, root.Combine("work"), "/m0/work", false, false),
            ]),
            new PlannedMount(1, "/bind", MountKind.Bind, ["rbind"], null, [
                new LayerPlan(5, LayerRole.Bind, root.Combine("bind"), "/m1/bind", false, true),
            ]),
        ], []);
    }

    /// <summary>The path on disk of <paramref name="parts"/> inside a layer (the layer itself when none).</summary>
    public string PathOf(uint layer, params string[] parts) => Path.Combine([
        layer switch
        {
            Lower0Id => Lower0,
            Lower1Id => Lower1,
            UpperId => Upper,
            WorkId => Work,
            BindId => Bind,
            _ => throw new ArgumentOutOfRangeException(nameof(layer), layer, "no such layer"),
        },
        .. parts]);

    /// <summary>A new client connection (its own HTTP/2 connection, so its own handles); closing the channel ends it.</summary>
    public GrpcChannel OpenChannel() => GoferChannel.ForUnixSocket(SocketPath);

    public async ValueTask DisposeAsync()
    {
        channel.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        listener.Dispose();
        mounts.Dispose();
        Root.Dispose();
    }
}
