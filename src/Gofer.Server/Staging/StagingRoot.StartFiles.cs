using Gofer.Native;
using Gofer.Server.Confinement;
using Gofer.Server.Spec;

namespace Gofer.Server.Staging;

public static partial class StagingRoot
{
    /// <summary>
    /// Binds each start file at its target path in the root: read-only, nosuid, nodev, and not
    /// noexec (unlike the staging tmpfs around it), since the confined image is exec'd from them.
    /// They are the gofer's own binary and the system's loader and libc — files any user may read
    /// — and each is a single file, so no path leads from them to anything else of the host.
    /// The exception is /dev/urandom, bound noexec but not nodev: the one device the gofer opens,
    /// which only hands out random bytes.
    /// </summary>
    private static void BindStartFiles(string root, MountPlan plan, StartFiles startFiles)
    {
        // A start file's path must not lead into a layer (creating its directories would write
        // in the layer) nor into the fd table's bind.
        var taken = plan.Layers.Select(l => FirstComponent(l.StagingPath)).Append("proc").ToHashSet(StringComparer.Ordinal);
        foreach (var file in startFiles.Files)
        {
            if (taken.Contains(FirstComponent(file.Target)))
            {
                throw new ErrnoException(Errno.EEXIST, "bind start file (its path is a staging path: move the gofer binary elsewhere)", file.Target);
            }

            var target = root + file.Target;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllBytes(target, []);
            using var source = Syscalls.OpenPath(file.Source, Syscalls.O_PATH, "open start file");
            using var mount = Syscalls.CloneMount(source, recursive: false, out var error)
                ?? throw new ErrnoException(error, "bind start file", file.Source);

            // An executable or library must stay executable; the random device must stay a
            // device (and is never executed). Flags are only added, as for the layers, so none
            // the kernel locks in a user namespace is ever asked to change.
            var use = file.Device ? Syscalls.MOUNT_ATTR_NOEXEC : Syscalls.MOUNT_ATTR_NODEV;
            Check(Syscalls.AddMountAttributes(mount, Syscalls.MOUNT_ATTR_RDONLY | Syscalls.MOUNT_ATTR_NOSUID | use, recursive: false), "restrict start file", file.Source);
            Check(Syscalls.MoveMount(mount, target), "mount start file", target);
        }
    }

    private static string FirstComponent(string path) => path.TrimStart('/').Split('/')[0];
}
