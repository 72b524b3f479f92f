using System.Runtime.InteropServices;
using Gofer.Native;
using Gofer.Sentry.Composition;
using Gofer.Sentry.Launch;
using Gofer.Server.Tests;
using Gofer.Server.Tests.EndToEnd;
using Gofer.Server.Tests.Service;

namespace Gofer.Fuse.Tests;

/// <summary>
/// A real gofer serving an overlay with two lowers, a whiteout and an opaque directory, composed by
/// the sentry and mounted through FUSE at <see cref="Root"/>, served on a thread of its own.
/// Lower "top:colon" (topmost): top.txt, gone.txt as a whiteout of base's, opaque/ marked opaque
/// with visible.txt, dir/top-only.txt, link → top.txt. Lower "base": dir/base.txt, gone.txt,
/// opaque/hidden.txt, big.bin (256 KiB).
/// </summary>
public sealed class MountedOverlay : IAsyncDisposable
{
    private readonly TempDirectory mountParent;
    private readonly GoferServerProcess process;
    private readonly OverlayFileSystem view;

    private MountedOverlay(OverlayBundle bundle, TempDirectory mountParent, GoferServerProcess process, OverlayFileSystem view, FuseMount mount)
    {
        Bundle = bundle;
        this.mountParent = mountParent;
        this.process = process;
        this.view = view;
        Mount = mount;
        Serving = Task.Factory.StartNew(() => mount.Serve(view), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public OverlayBundle Bundle { get; }

    /// <summary>How many names the sentry behind the mount caches (read while it serves: a count only).</summary>
    public int CachedNames => view.CachedNames;

    public FuseMount Mount { get; }

    /// <summary>Serve, running; completes when Serve returns.</summary>
    public Task Serving { get; }

    public string Root => Mount.MountPoint;

    public string Top => Bundle.Directory.Combine("layers", "top:colon");

    public string Base => Bundle.Directory.Combine("layers", "base");

    public string Upper => Bundle.Upper;

    public static byte[] BigContent { get; } = [.. Enumerable.Range(0, 256 * 1024).Select(i => (byte)(i * 7))];

    /// <param name="maxNodes">The front's node cap (<see cref="FuseMountOptions.MaxNodes"/>); its default when null.</param>
    public static async Task<MountedOverlay> StartAsync(PublishedGofer gofer, int? maxNodes = null)
    {
        ArgumentNullException.ThrowIfNull(gofer);
        var bundle = new OverlayBundle();
        Populate(bundle);
        var process = await GoferServerProcess.StartAsync(gofer.Binary, bundle.Path, bundle.Directory.Combine("gofer.sock"));
        var view = SentryMounts.Open(process.SocketPath, "/data");

        // Not inside the bundle: the mount point's parent must be searchable by other users (the
        // permission tests run as uid 1000), which a fresh temporary directory (0700) is not.
        var mountParent = new TempDirectory("gofer-fuse-");
        File.SetUnixFileMode(mountParent.Path, (UnixFileMode)Octal.Of("755"));
        var options = new FuseMountOptions("gofer-test", "gofer");
        var mount = FuseMount.Mount(mountParent.Make("mnt"), maxNodes is { } max ? options with { MaxNodes = max } : options);
        return new MountedOverlay(bundle, mountParent, process, view, mount);
    }

    public string Path(string relative) => System.IO.Path.Combine(Root, relative);

    /// <summary>Whether anything is mounted at the mount point, per /proc/self/mountinfo.</summary>
    public bool IsListed() => File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ')[4] == Root);

    public async ValueTask DisposeAsync()
    {
        Mount.Dispose();
        await Serving;
        view.Dispose();
        await process.DisposeAsync();
        mountParent.Dispose();
        Bundle.Dispose();
    }

    private static void Populate(OverlayBundle bundle)
    {
        var top = bundle.Directory.Combine("layers", "top:colon");
        var layerBase = bundle.Directory.Combine("layers", "base");
        File.WriteAllText(System.IO.Path.Combine(layerBase, "gone.txt"), "gone\n");
        File.WriteAllBytes(System.IO.Path.Combine(layerBase, "big.bin"), BigContent);
        File.WriteAllText(System.IO.Path.Combine(bundle.Directory.Make("layers", "base", "opaque"), "hidden.txt"), "hidden\n");
        File.WriteAllText(System.IO.Path.Combine(bundle.Directory.Make("layers", "top:colon", "opaque"), "visible.txt"), "visible\n");
        File.WriteAllText(System.IO.Path.Combine(bundle.Directory.Make("layers", "top:colon", "dir"), "top-only.txt"), "top only\n");
        File.CreateSymbolicLink(System.IO.Path.Combine(top, "link"), "top.txt");
        Tool.Check("mknod", System.IO.Path.Combine(top, "gone.txt"), "c", "0", "0");
        Tool.Check("setfattr", "-n", "trusted.overlay.opaque", "-v", "y", System.IO.Path.Combine(top, "opaque"));
    }
}
