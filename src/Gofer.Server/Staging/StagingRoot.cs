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
    public static void Enter(MountPlan plan, ILogger logger, StartFiles? startFiles = null)
    {
        // Propagation: nothing mounted from here on may reach the host's namespace (or any peer).
        Check(Syscalls.Mount(null, "/", null, Syscalls.MS_REC | Syscalls.MS_PRIVATE, null), "make mounts private", "/");

        var sources = OpenSources(plan);
        try
        {
            var root = plan.BundlePath;

            // The staging tmpfs goes over the bundle directory: it surely exists, and in this
            // namespace only, so the host never sees a new directory or mount. Every source was
            // opened above, so hiding the bundle's contents here loses nothing.
            Check(Syscalls.Mount("gofer-staging", root, "tmpfs", Syscalls.MS_NOSUID | Syscalls.MS_NODEV | Syscalls.MS_NOEXEC, "mode=0700,size=1m"), "mount staging tmpfs", root);
            foreach (var (layer, source) in sources)
            {
                BindLayer(root, layer, source, logger);
            }

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
            foreach (var (_, source) in sources)
            {
                source.Dispose();
            }
        }

        LogEntered(logger, sources.Count);
    }

    /// <summary>
    /// Opens every layer's source before anything is mounted and binds from the descriptor, so a
    /// symlink swapped into a source path after validation cannot redirect a bind mount: what is
    /// mounted is what was opened and checked here.
    /// </summary>
    private static unsafe List<(LayerPlan Layer, FileDescriptor Source)> OpenSources(MountPlan plan)
    {
        var sources = new List<(LayerPlan, FileDescriptor)>();
        try
        {
            foreach (var layer in plan.Layers)
            {
                FileDescriptor fd;
                fixed (byte* p = Syscalls.Encode(layer.SourcePath))
                {
                    fd = Syscalls.OpenAt(Syscalls.AT_FDCWD, p, Syscalls.O_PATH, 0, out var error)
                        ?? throw new ErrnoException(error, $"open source of layer {layer.Id} ({layer.Role})", layer.SourcePath);
                }

                sources.Add((layer, fd));
                Check(Syscalls.Stat(fd, out var stat), "stat source", layer.SourcePath);

                // The validator applied the same rule; this catches a source replaced since.
                if (LayerRoots.Refusal(layer.Role, stat.Type) is { } refusal)
                {
                    throw new ErrnoException(Errno.ENOTDIR, $"source of layer {layer.Id} ({layer.Role}) {refusal}", layer.SourcePath);
                }
            }
        }
        catch
        {
            sources.ForEach(s => s.Item2.Dispose());
            throw;
        }

        return sources;
    }

    private static unsafe void BindLayer(string root, LayerPlan layer, FileDescriptor source, ILogger logger)
    {
        var target = root + layer.StagingPath;
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        Check(Syscalls.Stat(source, out var stat), "stat source", layer.SourcePath);
        if (stat.IsDirectory)
        {
            Directory.CreateDirectory(target);
        }
        else
        {
            // A bind mount's target must have the source's kind: an empty regular file serves as
            // the mount point of any non-directory (regular file, device, socket, FIFO).
            File.WriteAllBytes(target, []);
        }

        var recursive = layer.Recursive ? Syscalls.MS_REC : 0;
        Check(Syscalls.Mount(source.ProcPath, target, null, Syscalls.MS_BIND | recursive, null), $"bind layer {layer.Id} ({layer.Role})", layer.SourcePath);

        // nosuid and nodev on every layer: a setuid binary or a device node in a layer must never
        // act on the host through the gofer. Read-only layers are also read-only mounts (the
        // service refuses their modifications first; this is the second wall). With rbind the
        // remount covers the top mount only: submounts keep their own flags, and the service's
        // EROFS check is what guards them.
        var readOnly = layer.ReadOnly ? Syscalls.MS_RDONLY : 0;
        var kept = LockableFlagsOf(source, layer.SourcePath);
        Check(Syscalls.Mount(null, target, null, Syscalls.MS_REMOUNT | Syscalls.MS_BIND | Syscalls.MS_NOSUID | Syscalls.MS_NODEV | readOnly | kept, null), $"remount layer {layer.Id} ({layer.Role})", target);
        LogBound(logger, layer.Id, layer.Role, layer.SourcePath, layer.StagingPath, layer.ReadOnly ? "ro" : "rw");
    }

    /// <summary>
    /// The flags of the mount the source lies on that a remount must keep: read-only, noexec and
    /// the atime mode. In a user namespace (a rootless gofer) the kernel locks them on every mount
    /// inherited from the host (mount_namespaces(7)), and a bind remount that would clear or change
    /// one fails with EPERM; the validator cannot see that coming, so staging never asks for it.
    /// Keeping them loses nothing: the gofer never executes a file, atime is the source
    /// filesystem's business, and a source on a read-only mount cannot be written through a bind
    /// of it anyway (writes answer EROFS, as they would to the container).
    /// </summary>
    private static ulong LockableFlagsOf(FileDescriptor source, string sourcePath)
    {
        Check(Syscalls.Fstatfs(source.Fd, out var filesystem), "statfs source", sourcePath);
        var flags = filesystem.Flags;
        var kept = 0UL;
        kept |= (flags & Syscalls.ST_RDONLY) != 0 ? Syscalls.MS_RDONLY : 0;
        kept |= (flags & Syscalls.ST_NOEXEC) != 0 ? Syscalls.MS_NOEXEC : 0;
        kept |= (flags & Syscalls.ST_NODIRATIME) != 0 ? Syscalls.MS_NODIRATIME : 0;

        // Without an atime flag mount(2) means relatime, so strictatime must be asked for.
        kept |= (flags & Syscalls.ST_NOATIME) != 0 ? Syscalls.MS_NOATIME
            : (flags & Syscalls.ST_RELATIME) != 0 ? Syscalls.MS_RELATIME
            : Syscalls.MS_STRICTATIME;
        return kept;
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
