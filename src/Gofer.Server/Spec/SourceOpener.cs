using System.Runtime.InteropServices;
using Gofer.Native;

namespace Gofer.Server.Spec;

/// <summary>
/// Opens each layer's source exactly once, the way the staging race demands: the spec's path is
/// resolved by realpath(3) (symlinks such as <c>/var/run</c> → <c>/run</c>, or podman's
/// <c>overlay/l/ID</c> links, are legitimate), then the resolved path is opened component by
/// component from a descriptor of <c>/</c> with openat2 RESOLVE_NO_SYMLINKS. A path that held no
/// symlink a moment ago and holds one now was changed in between, most likely by someone swapping
/// a directory for a link to elsewhere: the open fails with ELOOP and the start is refused. A
/// directory swapped for another directory is opened as it is now, and every check is then made
/// on what was opened, never on the path again.
/// </summary>
internal sealed class SourceOpener : IDisposable
{
    private readonly FileDescriptor root;

    public SourceOpener() =>
        root = Syscalls.OpenProcessRoot(out var error) ?? throw new ErrnoException(error, "open the root directory", "/");

    /// <summary>Opens <paramref name="layer"/>'s source; null with <paramref name="problem"/> set when it cannot be.</summary>
    public LayerSource? Open(LayerPlan layer, out string? problem)
    {
        if (!RealPath.TryResolve(layer.SourcePath, out var resolved, out var errno))
        {
            problem = Describe(errno);
            return null;
        }

        return OpenResolved(layer, resolved, out problem);
    }

    /// <summary>
    /// Opens <paramref name="resolved"/>, what <paramref name="layer"/>'s path resolved to, without
    /// following any symlink; a symlink found in it now means the path changed since it was resolved.
    /// </summary>
    internal LayerSource? OpenResolved(LayerPlan layer, string resolved, out string? problem)
    {
        // realpath's answer is absolute and canonical: no "..", no symlink, no empty component.
        var below = resolved == "/" ? "." : resolved[1..];

        // O_PATH opens anything (a device is not opened, a FIFO does not block) and reads nothing.
        var descriptor = Syscalls.OpenWithoutSymlinks(root, below, Syscalls.O_PATH, out var error);
        if (descriptor is null)
        {
            problem = error == Errno.ELOOP
                ? $"changed while being opened: a component of \"{resolved}\" became a symlink"
                : Describe(error);
            return null;
        }

        var failed = Syscalls.Stat(descriptor, out var status);
        var identity = default(FileIdentity);
        if (failed >= 0)
        {
            failed = Syscalls.Identify(descriptor, out identity);
        }

        if (failed < 0)
        {
            descriptor.Dispose();
            problem = $"cannot stat what was opened: {Errno.Describe(-failed)}";
            return null;
        }

        problem = null;
        return new LayerSource(layer, resolved, descriptor, status, identity);
    }

    public void Dispose() => root.Dispose();

    private static string Describe(int errno) => errno == Errno.ENOENT ? "does not exist" : Marshal.GetPInvokeErrorMessage(errno);
}
