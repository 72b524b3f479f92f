using Gofer.Native;
using Gofer.Sentry.FileSystem;

namespace Gofer.Sentry.Host;

/// <summary>Names: the *at calls on the last component, in the directory that holds it.</summary>
public sealed partial class HostDirectoryFileSystem
{
    public void Mkdir(string path, uint mode)
    {
        var (dir, name, _) = ResolveParent(path, "mkdir");
        using (dir)
        {
            ErrnoException.ThrowIfError(Syscalls.MkdirAt(dir, name, mode), "mkdir", path);
        }
    }

    public void Mkfifo(string path, uint mode)
    {
        var (dir, name, _) = ResolveParent(path, "mkfifo");
        using (dir)
        {
            // As mkfifo(3) calls it: the mode as given, with the FIFO type added.
            ErrnoException.ThrowIfError(Syscalls.MknodAt(dir, name, FileStatus.Fifo | mode, 0), "mkfifo", path);
        }
    }

    public void Symlink(string target, string path)
    {
        var (dir, name, _) = ResolveParent(path, "symlink");
        using (dir)
        {
            ErrnoException.ThrowIfError(Syscalls.SymlinkAt(Bytes(target, "symlink"), dir, name), "symlink", path);
        }
    }

    public void Unlink(string path)
    {
        var (dir, name, _) = ResolveParent(path, "unlink");
        using (dir)
        {
            ErrnoException.ThrowIfError(Syscalls.UnlinkAt(dir, name, 0), "unlink", path);
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

            ErrnoException.ThrowIfError(Syscalls.UnlinkAt(dir, name, Syscalls.AT_REMOVEDIR), "rmdir", path);
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
                ErrnoException.ThrowIfError(Syscalls.RenameAt2(oldDir, oldName, newDir, newName, flags), "rename", $"{oldPath} -> {newPath}");
            }
        }
    }

    public void Link(string existingPath, string newPath)
    {
        // The existing file is resolved here rather than named in its directory: linkat follows a
        // trailing slash on it, and an absolute symlink followed by the kernel would leave the
        // directory. Syscalls.Link links the descriptor's file itself.
        using var existing = ResolveNoFollow(existingPath, "link");
        var (dir, name, _) = ResolveParent(newPath, "link");
        using (dir)
        {
            ErrnoException.ThrowIfError(Syscalls.Link(existing, dir, name), "link", $"{existingPath} -> {newPath}");
        }
    }
}
