using Gofer.Fuse.Mounting;
using Gofer.Fuse.Operations;
using Gofer.Native;
using Gofer.Sentry.Composition;

namespace Gofer.Fuse;

/// <summary>
/// An overlay mounted through /dev/fuse: <see cref="Mount"/> makes the mount, <see cref="Serve"/>
/// answers the kernel's requests until the mount goes away, <see cref="Unmount"/> makes it go away.
/// Needs root: mount(2) is called directly (no fusermount helper).
/// </summary>
public sealed class FuseMount : IDisposable
{
    /// <summary>How long an unmount waits for the kernel to end the connection before forcing it.</summary>
    private static readonly TimeSpan AbortGrace = TimeSpan.FromSeconds(1);

    private readonly FuseDevice device;
    private readonly string fsType;
    private readonly uint? connection;
    private readonly Lock gate = new();
    private readonly ManualResetEventSlim served = new();
    private ServeState state;
    private int servingThread;
    private bool unmountRequested;
    private bool deviceClosed;

    private readonly int maxNodes;
    private FuseServer? server;

    private FuseMount(string mountPoint, FuseDevice device, string fsType, uint? connection, int maxNodes)
    {
        MountPoint = mountPoint;
        this.device = device;
        this.maxNodes = maxNodes;
        this.fsType = fsType;
        this.connection = connection;
    }

    private enum ServeState
    {
        NotStarted,
        Serving,
        Ended,
    }

    /// <summary>The absolute path of the mount.</summary>
    public string MountPoint { get; }

    /// <summary>Nodes (names the kernel holds) the front keeps while it serves; 0 before. A count read from another thread.</summary>
    public int NodeCount => Volatile.Read(ref server)?.NodeCount ?? 0;

    /// <summary>
    /// Opens /dev/fuse and mounts <c>fuse.&lt;Subtype&gt;</c> at <paramref name="mountPoint"/>.
    /// Nothing is served until <see cref="Serve"/>: a process touching the mount before then waits.
    /// </summary>
    /// <exception cref="ErrnoException">/dev/fuse could not be opened or mount(2) failed (EPERM: not root).</exception>
    public static FuseMount Mount(string mountPoint, FuseMountOptions options)
    {
        ArgumentNullException.ThrowIfNull(mountPoint);
        ArgumentNullException.ThrowIfNull(options);

        // The subtype becomes part of the fstype and the options string: a comma or NUL in it would
        // smuggle in options of its own.
        if (options.Subtype.Length == 0 || options.Subtype.IndexOfAny([',', '\0', ' ']) >= 0 || options.Source.Contains('\0', StringComparison.Ordinal))
        {
            throw new ErrnoException(Errno.EINVAL, "mount fuse", $"subtype \"{options.Subtype}\" or source \"{options.Source}\"");
        }

        var full = Path.GetFullPath(mountPoint);
        var device = FuseDevice.Open();
        try
        {
            KernelMount.Mount(full, device.Fd, options);
            var fsType = "fuse." + options.Subtype;
            return new FuseMount(full, device, fsType, KernelMount.ConnectionOf(full, fsType), options.MaxNodes);
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Serves the kernel's requests on the calling thread from <paramref name="fileSystem"/> until
    /// the connection ends (umount(8) by anyone, or <see cref="Unmount"/>); then returns. Runs once.
    /// </summary>
    public void Serve(OverlayFileSystem fileSystem)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        lock (gate)
        {
            if (state != ServeState.NotStarted)
            {
                throw new InvalidOperationException("Serve runs once per mount");
            }

            state = ServeState.Serving;
            servingThread = Environment.CurrentManagedThreadId;
            if (deviceClosed)
            {
                // Unmounted before serving began: the connection is already over.
                state = ServeState.Ended;
                served.Set();
                return;
            }
        }

        try
        {
            using var serving = new FuseServer(device, fileSystem, maxNodes);
            Volatile.Write(ref server, serving);
            serving.Run();
        }
        finally
        {
            lock (gate)
            {
                // Serve may have ended on a wake-up with the connection still up: closing the
                // device's last descriptor is what makes the kernel end it.
                CloseDevice();
                state = ServeState.Ended;
            }

            served.Set();
        }
    }

    /// <summary>
    /// Unmounts (lazily: a busy mount leaves the namespace now and ends when its last user is gone,
    /// or after a short grace the connection is aborted) and makes <see cref="Serve"/> return.
    /// Thread-safe and idempotent.
    /// </summary>
    public void Unmount()
    {
        bool serving;
        lock (gate)
        {
            if (unmountRequested)
            {
                return;
            }

            unmountRequested = true;
            serving = state == ServeState.Serving;
        }

        // Only this mount is taken away. Once it is gone (umount(8) by someone else), whatever
        // the mount point shows now — the mount that was under it, or a new one made since — is
        // not ours: detaching blindly by path would unmount it.
        if (connection is not null && KernelMount.ConnectionOf(MountPoint, fsType) == connection)
        {
            KernelMount.Detach(MountPoint);
        }

        if (!serving)
        {
            lock (gate)
            {
                if (state == ServeState.NotStarted)
                {
                    CloseDevice();
                }
            }

            return;
        }

        // Called from a request on the serving thread itself: it cannot wait for itself.
        if (servingThread == Environment.CurrentManagedThreadId)
        {
            device.Wake();
            return;
        }

        if (!served.Wait(AbortGrace))
        {
            // Still busy (an open file or a cwd inside): end it anyway. fusectl's abort fails every
            // pending request; where fusectl is not mounted, waking the loop makes Serve close the
            // device, which ends the connection just the same.
            if (connection is { } c)
            {
                KernelMount.Abort(c);
            }

            device.Wake();
            served.Wait();
        }
    }

    public void Dispose()
    {
        Unmount();
        lock (gate)
        {
            if (state != ServeState.Serving)
            {
                CloseDevice();
            }
        }

        if (servingThread != Environment.CurrentManagedThreadId)
        {
            served.Wait();
        }
    }

    private void CloseDevice()
    {
        if (!deviceClosed)
        {
            deviceClosed = true;
            device.Dispose();
        }

        if (state == ServeState.NotStarted)
        {
            served.Set();
        }
    }
}
