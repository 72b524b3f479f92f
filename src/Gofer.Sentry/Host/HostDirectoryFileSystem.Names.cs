using Gofer.Native;
using Gofer.Sentry.FileSystem;

namespace Gofer.Sentry.Host;

/// <summary>Names: the *at calls on the last component, in the directory that holds it.</summary>
public sealed unsafe partial class HostDirectoryFileSystem
{
    public void Mkdir(string path, uint mode)
    {
        var (dir, name, _) = ResolveParent(path, "mkdir");
        using (dir)
        {
            fixed (byte* n = name)
            {
                ErrnoException.ThrowIfError(Syscalls.MkdirAt(dir.Fd, n, mode), "mkdir", path);
            }
        }
    }

    public void Mkfifo(string path, uint mode)
    {
        var (dir, name, _) = ResolveParent(path, "mkfifo");
        using (dir)
        {
            fixed (byte* n = name)
            {
                // As mkfifo(3) calls it: the mode as given, with the FIFO type added.
                ErrnoException.ThrowIfError(Syscalls.MknodAt(dir.Fd, n, FileStatus.Fifo | mode, 0), "mkfifo", path);
            }
        }
    }

    public void Symlink(string target, string path)
    {
        var (dir, name, _) = ResolveParent(path, "symlink");
        using (dir)
        {
            fixed (byte* t = CString(target, "symlink"), n = name)
            {
                ErrnoException.ThrowIfError(Syscalls.SymlinkAt(t, dir.Fd, n), "symlink", path);
            }
        }
    }

    public void Unlink(string path)
    {
        var (dir, name, _) = ResolveParent(path, "unlink");
        using (dir)
        {
            fixed (byte* n = name)
            {
                ErrnoException.ThrowIfError(Syscalls.UnlinkAt(dir.Fd, n, 0), "unlink", path);
            }
        }
    }

    public void Rmdir(string path)
    {
        var (dir, name, isRoot) = ResolveParent(path, "rmdir");
        using (dir)
        {
            // rmdir(2) of a root (or a mount point) is EBUSY; the "." that stands for the root here would give EINVAL.
            if (isRoot)
            {
                throw new ErrnoException(Errno.EBUSY, "rmdir", path);
            }

            fixed (byte* n = name)
            {
                ErrnoException.ThrowIfError(Syscalls.UnlinkAt(dir.Fd, n, Syscalls.AT_REMOVEDIR), "rmdir", path);
            }
        }
    }

    public void Rename(string oldPath, string newPath, RenameMode mode)
    {
        var flags = mode switch
        {
            RenameMode.NoReplace => Syscalls.RENAME_NOREPLACE,
            RenameMode.Exchange => Syscalls.RENAME_EXCHANGE,
            _ => 0u,
        };
        var (oldDir, oldName, _) = ResolveParent(oldPath, "rename");
        using (oldDir)
        {
            var (newDir, newName, _) = ResolveParent(newPath, "rename");
            using (newDir)
            {
                fixed (byte* o = oldName, n = newName)
                {
                    ErrnoException.ThrowIfError(Syscalls.RenameAt2(oldDir.Fd, o, newDir.Fd, n, flags), "rename", $"{oldPath} -> {newPath}");
                }
            }
        }
    }

    public void Link(string existingPath, string newPath)
    {
        // The existing file is resolved here rather than named in its directory: linkat follows a
        // trailing slash on it, and an absolute symlink followed by the kernel would leave the
        // directory. linkat(AT_SYMLINK_FOLLOW) of the magic link links the descriptor's file itself.
        using var existing = ResolveNoFollow(existingPath, "link");
        var (dir, name, _) = ResolveParent(newPath, "link");
        using (dir)
        {
            fixed (byte* o = ProcPath(existing), n = name)
            {
                ErrnoException.ThrowIfError(
                    Syscalls.LinkAt(Syscalls.AT_FDCWD, o, dir.Fd, n, Syscalls.AT_SYMLINK_FOLLOW), "link", $"{existingPath} -> {newPath}");
            }
        }
    }
}
