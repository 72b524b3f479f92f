using System.Text;
using Gofer.Native;

namespace Gofer.Sentry.Tests.Differential;

/// <summary>Makes a <see cref="Layer"/> on disk: real whiteouts, FIFOs, hard links, owners and xattrs (so it runs as root).</summary>
public static unsafe class LayerWriter
{
    public static void Write(Layer layer, string directory, OverlayFlavor flavor)
    {
        foreach (var entry in layer.Entries)
        {
            var path = directory + entry.Path;
            fixed (byte* p = Syscalls.Encode(path))
            {
                Make(entry, directory, path, p);

                // Owner before mode: chown clears the setuid and setgid bits.
                if (entry.Uid != 0 || entry.Gid != 0)
                {
                    Check(Syscalls.FchownAt(Syscalls.AT_FDCWD, p, entry.Uid, entry.Gid, Syscalls.AT_SYMLINK_NOFOLLOW), "lchown", path);
                }

                // A hard link shares its file's mode; symlinks and whiteouts have none that matters.
                if (entry.Kind is EntryKind.Directory or EntryKind.File or EntryKind.Fifo)
                {
                    Check(Syscalls.FchmodAt(Syscalls.AT_FDCWD, p, entry.Mode, 0), "chmod", path);
                }

                foreach (var (name, value) in entry.Xattrs)
                {
                    SetXattr(p, path, name, value);
                }

                if (entry.Opacity != Opacity.None)
                {
                    var name = entry.Opacity == Opacity.Opaque ? OverlayXattrs.Opaque(flavor) : OverlayXattrs.OtherOpaque(flavor);
                    SetXattr(p, path, name, "y");
                }
            }
        }
    }

    private static void Make(LayerEntry entry, string directory, string path, byte* p)
    {
        switch (entry.Kind)
        {
            case EntryKind.Directory:
                Check(Syscalls.MkdirAt(Syscalls.AT_FDCWD, p, entry.Mode), "mkdir", path);
                break;
            case EntryKind.File:
                File.WriteAllBytes(path, Encoding.UTF8.GetBytes(entry.Content));
                break;
            case EntryKind.Symlink:
                fixed (byte* target = Syscalls.Encode(entry.Target))
                {
                    Check(Syscalls.SymlinkAt(target, Syscalls.AT_FDCWD, p), "symlink", path);
                }

                break;
            case EntryKind.Fifo:
                Check(Syscalls.MknodAt(Syscalls.AT_FDCWD, p, FileStatus.Fifo | entry.Mode, 0), "mknod", path);
                break;
            case EntryKind.Whiteout:
                Check(Syscalls.MknodAt(Syscalls.AT_FDCWD, p, FileStatus.CharDevice, FileStatus.MakeDevice(0, 0)), "mknod", path);
                break;
            case EntryKind.HardLink:
                fixed (byte* existing = Syscalls.Encode(directory + entry.Target))
                {
                    Check(Syscalls.LinkAt(Syscalls.AT_FDCWD, existing, Syscalls.AT_FDCWD, p, 0), "link", path);
                }

                break;
            default:
                throw new InvalidOperationException($"unknown kind {entry.Kind}");
        }
    }

    private static void SetXattr(byte* p, string path, string name, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        fixed (byte* n = Syscalls.Encode(name))
        fixed (byte* v = bytes)
        {
            Check(Syscalls.SetXattr(p, n, v, bytes.Length, 0), "setxattr " + name, path);
        }
    }

    private static void Check(int result, string operation, string path) => ErrnoException.ThrowIfError(result, operation, path);
}
