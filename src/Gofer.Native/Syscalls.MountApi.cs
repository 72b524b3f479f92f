using System.Runtime.InteropServices;

namespace Gofer.Native;

/// <summary>
/// The new mount API (open_tree, mount_setattr, move_mount): mounts made from a descriptor
/// instead of a path, so that what gets mounted is the very file that was opened and checked.
/// glibc 2.36 wraps all three.
/// </summary>
public static unsafe partial class Syscalls
{
    /// <summary>mount_setattr(2) attributes: a read-only mount.</summary>
    public const ulong MOUNT_ATTR_RDONLY = 0x1;

    /// <summary>Setuid and setgid bits are ignored on the mount.</summary>
    public const ulong MOUNT_ATTR_NOSUID = 0x2;

    /// <summary>Device nodes on the mount cannot be opened.</summary>
    public const ulong MOUNT_ATTR_NODEV = 0x4;

    /// <summary>mount_setattr(2): no program on the mount may be executed.</summary>
    public const ulong MOUNT_ATTR_NOEXEC = 0x8;

    private const uint OpenTreeClone = 1;
    private const uint AtRecursive = 0x8000;
    private const uint MoveMountFromEmptyPath = 0x4;

    /// <summary>
    /// open_tree(fd, "", OPEN_TREE_CLONE | AT_EMPTY_PATH): a detached bind mount of the file
    /// <paramref name="source"/> refers to (any descriptor, O_PATH included); with
    /// <paramref name="recursive"/>, of its submounts too (rbind). Null with the errno in
    /// <paramref name="error"/> on failure.
    /// </summary>
    public static FileDescriptor? CloneMount(FileDescriptor source, bool recursive, out int error)
    {
        ArgumentNullException.ThrowIfNull(source);
        byte empty = 0;
        var flags = OpenTreeClone | (uint)O_CLOEXEC | (uint)AT_EMPTY_PATH | (recursive ? AtRecursive : 0);
        var fd = Result(LibcImports.open_tree(source.Fd, &empty, flags));
        error = fd < 0 ? -fd : 0;
        return fd < 0 ? null : new FileDescriptor(fd);
    }

    /// <summary>
    /// mount_setattr(2) on the mount <paramref name="mount"/> refers to (and every mount below it
    /// with <paramref name="recursive"/>): sets <paramref name="set"/>, clears nothing, so flags
    /// the kernel locks in a user namespace are never asked to change.
    /// </summary>
    public static int AddMountAttributes(FileDescriptor mount, ulong set, bool recursive)
    {
        ArgumentNullException.ThrowIfNull(mount);
        byte empty = 0;
        var attributes = new MountAttributes { Set = set };
        var flags = (uint)AT_EMPTY_PATH | (recursive ? AtRecursive : 0);
        return Result(LibcImports.mount_setattr(mount.Fd, &empty, flags, &attributes, (nuint)sizeof(MountAttributes)));
    }

    /// <summary>move_mount(2) of a detached mount (from <see cref="CloneMount"/>) onto <paramref name="target"/>.</summary>
    public static int MoveMount(FileDescriptor mount, string target)
    {
        ArgumentNullException.ThrowIfNull(mount);
        byte empty = 0;
        fixed (byte* t = Encode(target))
        {
            return Result(LibcImports.move_mount(mount.Fd, &empty, AT_FDCWD, t, MoveMountFromEmptyPath));
        }
    }
}

/// <summary>struct mount_attr.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MountAttributes
{
    public ulong Set;
    public ulong Clear;
    public ulong Propagation;
    public ulong UserNamespaceFd;
}
