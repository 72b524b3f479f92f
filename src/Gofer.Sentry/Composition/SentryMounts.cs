using Gofer.Native;
using Gofer.Protocol.V1;
using Gofer.Sentry.Connection;

namespace Gofer.Sentry.Composition;

/// <summary>Opens one served mount of a gofer as a composed filesystem.</summary>
public static class SentryMounts
{
    /// <summary>
    /// Connects to the gofer at <paramref name="socketPath"/> and composes the mount whose
    /// destination is <paramref name="destination"/>: an overlay from its layers, a rootfs or bind
    /// mount as its one layer. ENOENT when the gofer serves no such mount.
    /// </summary>
    public static OverlayFileSystem Open(string socketPath, string destination)
    {
        GoferSession session;
        try
        {
            session = new GoferSession(SessionSocket.Connect(socketPath));
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new ErrnoException(e.NativeErrorCode, "connect", socketPath);
        }

        try
        {
            var list = session.Call(new SessionRequest { ListMounts = new ListMountsRequest() }).ListMounts;
            var mounts = list.Mounts;
            var mount = mounts.FirstOrDefault(m => m.Destination == destination)
                ?? throw new ErrnoException(Errno.ENOENT, "mount", $"{destination} (served: {string.Join(", ", mounts.Select(m => m.Destination))})");
            return new OverlayFileSystem(session, LayoutOf(mount), (int)Math.Min(list.HandleLimit, int.MaxValue));
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public static OverlayLayout LayoutOf(Mount mount)
    {
        ArgumentNullException.ThrowIfNull(mount);
        if (mount.Kind != MountKind.Overlay)
        {
            var only = mount.Layers.Single();
            return only.ReadOnly ? new OverlayLayout(null, [only.Id], null) : new OverlayLayout(only.Id, [], null);
        }

        var upper = mount.Layers.FirstOrDefault(l => l.Role == LayerRole.Upper && !l.ReadOnly);
        var lowers = mount.Layers.Where(l => l.Role == LayerRole.Lower).OrderBy(l => l.Index).Select(l => l.Id).ToList();
        return new OverlayLayout(upper?.Id, lowers, mount.Overlay.XattrPrefix, RedirectModeOf(mount.Overlay.RedirectDir));
    }

    /// <summary>
    /// The kernel's reading of <c>redirect_dir=</c>: "off" makes none but still follows them (its
    /// default <c>redirect_always_follow</c>; the gofer refuses "off" with userxattr, as the kernel
    /// does for that reason). Anything unknown is the safest, nofollow.
    /// </summary>
    private static RedirectMode RedirectModeOf(string redirectDir) => redirectDir switch
    {
        "on" => RedirectMode.Create,
        "follow" or "off" => RedirectMode.Follow,
        _ => RedirectMode.NoFollow,
    };
}
