using System.Text;
using Gofer.Native;

namespace Gofer.Sentry.Tests.Differential;

/// <summary>Makes a <see cref="Layer"/> on disk: real whiteouts, FIFOs, hard links, owners and xattrs (so it runs as root).</summary>
public static class LayerWriter
{
    public static void Write(Layer layer, string directory, OverlayFlavor flavor)
    {
        foreach (var entry in layer.Entries)
        {
            var path = directory + entry.Path;
            Make(entry, directory, path);

            // Owner before mode: chown clears the setuid and setgid bits. The entry itself (a symlink
            // included) gets the owner; the mode and xattrs go to the file a symlink names, as
            // chmod(2) and setxattr(2) of the path would.
            using (var self = Open(path, Syscalls.O_PATH | Syscalls.O_NOFOLLOW))
            {
                if (entry.Uid != 0 || entry.Gid != 0)
                {
                    Check(Syscalls.Chown(self, entry.Uid, entry.Gid), "lchown", path);
                }
            }

            // A hard link shares its file's mode; symlinks and whiteouts have none that matters.
            if (entry.Kind is EntryKind.Directory or EntryKind.File or EntryKind.Fifo)
            {
                using var file = Open(path, Syscalls.O_PATH);
                Check(Syscalls.Chmod(file, entry.Mode), "chmod", path);
            }

            foreach (var (name, value) in entry.Xattrs)
            {
                SetXattr(path, name, value);
            }

            if (entry.Opacity != Opacity.None)
            {
                var name = entry.Opacity == Opacity.Opaque ? OverlayXattrs.Opaque(flavor) : OverlayXattrs.OtherOpaque(flavor);
                SetXattr(path, name, "y");
            }
        }
    }

    private static void Make(LayerEntry entry, string directory, string path)
    {
        var here = FileDescriptor.CurrentDirectory;
        var p = Encoding.UTF8.GetBytes(path);
        switch (entry.Kind)
        {
            case EntryKind.Directory:
                Check(Syscalls.MkdirAt(here, p, entry.Mode), "mkdir", path);
                break;
            case EntryKind.File:
                File.WriteAllBytes(path, Encoding.UTF8.GetBytes(entry.Content));
                break;
            case EntryKind.Symlink:
                Check(Syscalls.SymlinkAt(Encoding.UTF8.GetBytes(entry.Target), here, p), "symlink", path);
                break;
            case EntryKind.Fifo:
                Check(Syscalls.MknodAt(here, p, FileStatus.Fifo | entry.Mode, 0), "mknod", path);
                break;
            case EntryKind.Whiteout:
                Check(Syscalls.MknodAt(here, p, FileStatus.CharDevice, FileStatus.MakeDevice(0, 0)), "mknod", path);
                break;
            case EntryKind.HardLink:
                // What the descriptor refers to is the entry itself (even a symlink): link(2) of its path, which never follows.
                using (var existing = Open(directory + entry.Target, Syscalls.O_PATH | Syscalls.O_NOFOLLOW))
                {
                    Check(Syscalls.Link(existing, here, p), "link", path);
                }

                break;
            default:
                throw new InvalidOperationException($"unknown kind {entry.Kind}");
        }
    }

    private static FileDescriptor Open(string path, int flags) =>
        Syscalls.OpenPath(path, flags, 0, out var error) ?? throw new ErrnoException(error, "open", path);

    private static void SetXattr(string path, string name, string value) =>
        Check(Xattrs.Set(path, Encoding.UTF8.GetBytes(name), Encoding.UTF8.GetBytes(value), 0), "setxattr " + name, path);

    private static void Check(int result, string operation, string path) => ErrnoException.ThrowIfError(result, operation, path);
}
