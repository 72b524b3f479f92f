using Gofer.Native;

namespace Gofer.Server.Spec;

/// <summary>
/// What the root of a layer may be. <see cref="SpecValidator"/> applies it to the type of the
/// descriptor <see cref="SourceOpener"/> opened — for <c>gofer check</c> and before serving alike,
/// so that check's verdict is what serve would do — and staging mounts that descriptor, whose
/// type cannot change.
/// </summary>
public static class LayerRoots
{
    /// <summary>Whether a layer of <paramref name="role"/> may be something other than a directory.</summary>
    /// <remarks>
    /// OCI lets a bind mount's source be any file, and every runtime binds single files
    /// (<c>/etc/hosts</c>, <c>/etc/resolv.conf</c>, <c>/etc/hostname</c>, <c>/run/.containerenv</c>);
    /// rootless engines also bind device nodes they cannot make (<c>--device /dev/fuse</c>), and
    /// users bind sockets (a container engine's API socket). The rootfs and every overlay layer are
    /// directory trees by definition.
    /// </remarks>
    public static bool MayBeFile(this LayerRole role) => role == LayerRole.Bind;

    /// <summary>Why a root whose file type is <paramref name="type"/> (<c>S_IFMT</c> bits) cannot be served in <paramref name="role"/>, or null.</summary>
    /// <remarks>
    /// A bind of a regular file is served like any file. A bind of a device, socket or FIFO is
    /// served as what the gofer makes of such a file anywhere in a served tree: its stat and its
    /// xattrs, with a device never opened (ENXIO) and a socket never connected to, a FIFO opened
    /// non-blocking. Refusing the whole spec instead would make every container with one such bind
    /// (rootless <c>--device</c>, an API socket) unrunnable for the sake of a file the sandbox
    /// provides itself (its own /dev) or cannot use through a file server anyway (a host socket),
    /// and the container sees the same entry it would see had the file been inside a bound
    /// directory. Symlinks never reach here: a source is resolved once, as mount(2) would
    /// follow it, and what it resolved to is opened without following any symlink.
    /// </remarks>
    public static string? Refusal(LayerRole role, uint type) =>
        type == FileStatus.Directory || role.MayBeFile() ? null : $"is {TypeName(type)}, not a directory";

    /// <summary>A file type in words, with its article: "a regular file", "a socket"…</summary>
    public static string TypeName(uint type) => type switch
    {
        FileStatus.Directory => "a directory",
        FileStatus.Regular => "a regular file",
        FileStatus.Symlink => "a symlink",
        FileStatus.Fifo => "a FIFO",
        FileStatus.CharDevice => "a character device",
        FileStatus.BlockDevice => "a block device",
        FileStatus.Socket => "a socket",
        _ => $"a file of unknown type 0{Convert.ToString(type >> 12, 8)}",
    };
}
