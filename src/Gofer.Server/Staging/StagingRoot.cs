using Gofer.Native;
using Gofer.Server.Confinement;
using Gofer.Server.Spec;
using Microsoft.Extensions.Logging;

namespace Gofer.Server.Staging;

/// <summary>
/// Makes the gofer's private view of the host: a tmpfs holding a bind mount of every layer at its
/// staging path and the process's own fd table at /proc/self/fd, then pivots into it. From then on
/// nothing of the host is reachable by path. Must run in a private mount namespace, as root of its
/// user namespace.
/// </summary>
public static partial class StagingRoot
{
    /// <summary>
    /// Stages every layer of <paramref name="plan"/> and pivots into the staging root. With
    /// <paramref name="startFiles"/>, those files are bound read-only too, so that the confined
    /// image can be exec'd from inside the root.
    /// </summary>
    /// <param name="plan">A plan that <see cref="BundleLoader"/> validated without problems.</param>
    /// <param name="opened">
    /// The sources the loader opened and checked, one per layer: each is mounted from its
    /// descriptor, never from its path. Consumed: closed here once the layers are mounted, since an
    /// O_PATH descriptor of a host directory would lead back out of the staged view.
    /// </param>
    /// <param name="logger">Where each staged layer is logged.</param>
    /// <param name="startFiles">The files the serving image is exec'd from, or null to serve from this image.</param>
    public static void Enter(MountPlan plan, LayerSources opened, ILogger logger, StartFiles? startFiles = null)
    {
        ArgumentNullException.ThrowIfNull(opened);

        // Propagation: nothing mounted from here on may reach the host's namespace (or any peer).
        Check(Syscalls.Mount(null, "/", null, Syscalls.MS_REC | Syscalls.MS_PRIVATE, null), "make mounts private", "/");

        var sources = OpenSources(plan, opened);
        try
        {
            var root = plan.BundlePath;

            // The staging tmpfs goes over the bundle directory: it surely exists, and in this
            // namespace only, so the host never sees a new directory or mount. Every source was
            // opened by the loader, so hiding the bundle's contents here loses nothing.
            Check(Syscalls.Mount("gofer-staging", root, "tmpfs", Syscalls.MS_NOSUID | Syscalls.MS_NODEV | Syscalls.MS_NOEXEC, "mode=0700,size=1m"), "mount staging tmpfs", root);
            foreach (var (layer, source) in sources)
            {
                BindLayer(root, layer, source, logger);
            }

            // Mounted: the host descriptors have done their work and must not stay in the fd table.
            opened.Dispose();

            BindOwnDescriptors(root);
            if (startFiles is not null)
            {
                BindStartFiles(root, plan, startFiles);
            }

            // The staging root itself holds only empty mount points: read-only from here on.
            Check(Syscalls.Mount(null, root, null, Syscalls.MS_REMOUNT | Syscalls.MS_RDONLY | Syscalls.MS_NOSUID | Syscalls.MS_NODEV | Syscalls.MS_NOEXEC, null), "make staging root read-only", root);
            PivotInto(root);
        }
        finally
        {
            opened.Dispose();
        }

        LogEntered(logger, sources.Count);
    }

    /// <summary>
    /// The source of every layer, as the loader opened and checked it: each was opened once,
    /// without following symlinks, and every check was made on that descriptor, so a symlink
    /// swapped into a source path after validation cannot redirect a mount: what is mounted is
    /// what was opened and checked.
    /// </summary>
    private static List<(LayerPlan Layer, LayerSource Source)> OpenSources(MountPlan plan, LayerSources opened) =>
        [.. plan.Layers.Select(layer => (layer, opened[layer]))];

    /// <summary>
    /// Mounts <paramref name="source"/>'s descriptor at the layer's staging path with the new
    /// mount API: open_tree clones a detached bind mount of the very file the descriptor refers
    /// to (the /proc/self/fd/N path of it would do the same through a magic link, which this
    /// avoids needing), mount_setattr restricts it before anyone can see it, and move_mount
    /// attaches it.
    /// </summary>
    private static void BindLayer(string root, LayerPlan layer, LayerSource source, ILogger logger)
    {
        var target = root + layer.StagingPath;
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);

        // The type fstat gave when the source was opened: an inode's type never changes.
        if (source.Status.IsDirectory)
        {
            Directory.CreateDirectory(target);
        }
        else
        {
            // A bind mount's target must have the source's kind: an empty regular file serves as
            // the mount point of any non-directory (regular file, device, socket, FIFO).
            File.WriteAllBytes(target, []);
        }

        using var mount = Syscalls.CloneMount(source.Descriptor, layer.Recursive, out var error)
            ?? throw new ErrnoException(error, $"bind layer {layer.Id} ({layer.Role})", layer.SourcePath);

        // nosuid and nodev on every layer: a setuid binary or a device node in a layer must never
        // act on the host through the gofer. Read-only layers are also read-only mounts (the
        // service refuses their modifications first; this is the second wall). With rbind every
        // submount gets them too. Flags are only added, never cleared: in a user namespace (a
        // rootless gofer) the kernel locks read-only, noexec and the atime mode on every mount
        // inherited from the host (mount_namespaces(7)), and asking to clear one would fail with
        // EPERM, which the validator cannot foresee. Keeping them loses nothing: the gofer never
        // executes a file, atime is the source filesystem's business, and a source on a
        // read-only mount cannot be written through a bind of it anyway (writes answer EROFS).
        var readOnly = layer.ReadOnly ? Syscalls.MOUNT_ATTR_RDONLY : 0;
        Check(Syscalls.AddMountAttributes(mount, Syscalls.MOUNT_ATTR_NOSUID | Syscalls.MOUNT_ATTR_NODEV | readOnly, layer.Recursive), $"restrict layer {layer.Id} ({layer.Role})", layer.SourcePath);
        Check(Syscalls.MoveMount(mount, target), $"mount layer {layer.Id} ({layer.Role})", target);
        LogBound(logger, layer.Id, layer.Role, layer.SourcePath, layer.StagingPath, layer.ReadOnly ? "ro" : "rw");
    }

    /// <summary>
    /// Binds this process's fd table at /proc/self/fd inside the staging root: the file service
    /// names its descriptors by their magic links (xattrs, reopening), and this exposes nothing
    /// but descriptors the gofer already holds. No proc filesystem is mounted, so other
    /// processes' roots (/proc/PID/root) stay out of reach.
    /// </summary>
    private static void BindOwnDescriptors(string root)
    {
        var target = root + "/proc/self/fd";
        Directory.CreateDirectory(target);
        Check(Syscalls.Mount($"/proc/{Environment.ProcessId}/fd", target, null, Syscalls.MS_BIND, null), "bind own fd table", target);
    }

    /// <summary>pivot_root(".", ".") then detach the old root: the classic way to leave no path to the host.</summary>
    private static void PivotInto(string root)
    {
        Check(Syscalls.Chdir(root), "chdir", root);
        Check(Syscalls.PivotRoot(".", "."), "pivot_root", root);
        Check(Syscalls.Umount2(".", Syscalls.MNT_DETACH), "detach old root", "/");
        Check(Syscalls.Chdir("/"), "chdir", "/");
    }

    private static void Check(int result, string operation, string path) => ErrnoException.ThrowIfError(result, operation, path);

    [LoggerMessage(Level = LogLevel.Debug, Message = "layer {Id} ({Role}) {Source} staged at {Staging} {Mode}")]
    private static partial void LogBound(ILogger logger, int id, LayerRole role, string source, string staging, string mode);

    [LoggerMessage(Level = LogLevel.Information, Message = "staged {Count} layers; host tree detached")]
    private static partial void LogEntered(ILogger logger, int count);
}
