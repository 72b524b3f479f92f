using System.Text;
using Gofer.Native;
using Gofer.Protocol.Layers;
using Gofer.Protocol.V1;
using Gofer.Sentry.FileSystem;
using Google.Protobuf;

namespace Gofer.Sentry.Composition;

public sealed partial class OverlayFileSystem
{
    public long Write(string path, long offset, ReadOnlySpan<byte> data)
    {
        using var operation = Begin();
        return WriteTo(path, Syscalls.O_WRONLY | Syscalls.O_NONBLOCK, offset, data);
    }

    public long Append(string path, ReadOnlySpan<byte> data)
    {
        using var operation = Begin();
        return WriteTo(path, Syscalls.O_WRONLY | Syscalls.O_APPEND | Syscalls.O_NONBLOCK, 0, data);
    }

    public void Create(string path, uint mode, bool exclusive, bool truncate)
    {
        using var operation = Begin();
        Create(path, mode, exclusive, truncate, 0);
    }

    private void Create(string path, uint mode, bool exclusive, bool truncate, int links)
    {
        var (parent, name) = ResolveParent(path);
        var existing = name is null ? parent : Lookup(parent, name);
        if (existing is not null)
        {
            if (exclusive)
            {
                throw new ErrnoException(Errno.EEXIST, "create", path);
            }

            if (existing.Top.IsSymlink && !Exists(path))
            {
                // O_CREAT through a dangling symlink makes the file it points to.
                var pointed = ReadTarget(existing);
                _ = links >= MaxSymlinks ? throw new ErrnoException(Errno.ELOOP, "create", path) : 0;
                Create(pointed.StartsWith('/') ? pointed : OverlayNode.Child(parent.Path, pointed), mode, exclusive: false, truncate, links + 1);
                return;
            }

            var target = existing.Top.IsSymlink ? Resolve(path, followFinal: true) : existing;
            if (target.IsDirectory)
            {
                throw new ErrnoException(Errno.EISDIR, "create", path);
            }

            // Opening an existing file for writing copies it up, as the kernel does on open; a
            // special file is opened where it is, and answers for itself (a FIFO with no reader: ENXIO).
            var upper = CopyUpForWrite(target);
            if (upper is null)
            {
                var open = session.Call(new SessionRequest { Open = new OpenRequest { Handle = target.Top.Handle, Flags = Syscalls.O_WRONLY | Syscalls.O_NONBLOCK } }).Open.Handle;
                session.Release([open]);
            }
            else if (truncate)
            {
                session.Call(new SessionRequest { SetAttr = new SetAttrRequest { Handle = upper.Handle, Size = 0 } });
            }

            ForgetFile(target);
            return;
        }

        MakeName(parent, name!, path, "create", (dir, n) => new SessionRequest
        {
            Create = new CreateRequest { Directory = dir, Name = n, Flags = Syscalls.O_WRONLY | Syscalls.O_EXCL, Mode = mode },
        }, r => r.Create.Handle);
    }

    /// <summary>
    /// open(2) with flags (access mode, O_CREAT, O_EXCL, O_TRUNC, O_APPEND; O_NONBLOCK is always in
    /// force) and the mode for a new file. Opening for writing copies a lower file up first.
    /// </summary>
    public OpenFile Open(string path, int flags, uint mode)
    {
        using var operation = Begin();
        var writes = (flags & Syscalls.O_ACCMODE) != Syscalls.O_RDONLY || (flags & Syscalls.O_TRUNC) != 0;
        if ((flags & Syscalls.O_CREAT) != 0)
        {
            Create(path, mode, (flags & Syscalls.O_EXCL) != 0, (flags & Syscalls.O_TRUNC) != 0);
        }

        var node = Resolve(path, followFinal: true);
        if (node.IsDirectory && writes)
        {
            throw new ErrnoException(Errno.EISDIR, "open", path);
        }

        var copiesUp = writes && node.Upper is null;
        var entry = writes ? CopyUpForWrite(node) ?? node.Top : node.Top;
        var truncates = writes && (flags & Syscalls.O_TRUNC) != 0 && entry.Type == FileStatus.Regular;
        if (truncates)
        {
            session.Call(new SessionRequest { SetAttr = new SetAttrRequest { Handle = entry.Handle, Size = 0 } });
        }

        var gofer = (flags & (Syscalls.O_ACCMODE | Syscalls.O_APPEND)) | Syscalls.O_NONBLOCK;
        var handle = session.Call(new SessionRequest { Open = new OpenRequest { Handle = entry.Handle, Flags = (uint)gofer } }).Open.Handle;

        // A copy-up or a truncation changed what the view caches of the file; an open that did
        // neither (to read, or to write a file already in the upper, such as one just created)
        // changed nothing, and keeping it spares the next stat a round trip.
        if (copiesUp || truncates)
        {
            ForgetFile(node);
        }

        openFiles++;
        return new OpenFile(session, handle, () => ForgetFile(node), () => openFiles--);
    }

    /// <summary>statfs(2) of the filesystem that holds the mount's changes (the upper; else the top lower).</summary>
    public StatFsResponse StatFs(string path)
    {
        using var operation = Begin();
        var node = Resolve(path, followFinal: true);
        var root = cache.Root;
        return session.Call(new SessionRequest { StatFs = new StatFsRequest { Handle = (root.Upper ?? node.Top).Handle } }).StatFs;
    }

    public void Truncate(string path, long size)
    {
        using var operation = Begin();
        var node = Resolve(path, followFinal: true);
        if (node.IsDirectory)
        {
            throw new ErrnoException(Errno.EISDIR, "truncate", path);
        }

        if (node.Top.Type != FileStatus.Regular)
        {
            throw new ErrnoException(Errno.EINVAL, "truncate", path);
        }

        var upper = EnsureUpper(node, "truncate");
        session.Call(new SessionRequest { SetAttr = new SetAttrRequest { Handle = upper.Handle, Size = size } });
        ForgetFile(node);
    }

    public void Mkdir(string path, uint mode)
    {
        using var operation = Begin();
        var (parent, name) = ResolveParent(path);
        if (name is null || Lookup(parent, name) is not null)
        {
            throw new ErrnoException(Errno.EEXIST, "mkdir", path);
        }

        MakeName(parent, name, path, "mkdir", (dir, n) => new SessionRequest
        {
            Mkdir = new MkdirRequest { Directory = dir, Name = n, Mode = mode },
        }, r => r.Mkdir.Handle);
    }

    public void Mkfifo(string path, uint mode)
    {
        using var operation = Begin();
        var (parent, name) = ResolveParent(path);
        if (name is null || Lookup(parent, name) is not null)
        {
            throw new ErrnoException(Errno.EEXIST, "mkfifo", path);
        }

        MakeName(parent, name, path, "mkfifo", (dir, n) => new SessionRequest
        {
            Mknod = new MknodRequest { Directory = dir, Name = n, Mode = FileStatus.Fifo | (mode & 0xFFF) },
        }, r => r.Mknod.Handle);
    }

    public void Symlink(string target, string path)
    {
        using var operation = Begin();
        var (parent, name) = ResolveParent(path);
        if (name is null || Lookup(parent, name) is not null)
        {
            throw new ErrnoException(Errno.EEXIST, "symlink", path);
        }

        MakeName(parent, name, path, "symlink", (dir, n) => new SessionRequest
        {
            Symlink = new SymlinkRequest { Directory = dir, Name = n, Target = ByteString.CopyFromUtf8(target) },
        }, r => r.Symlink.Handle);
    }

    public void Link(string existingPath, string newPath)
    {
        using var operation = Begin();
        var source = Resolve(existingPath, followFinal: false);
        var (parent, name) = ResolveParent(newPath);
        if (name is null || Lookup(parent, name) is not null)
        {
            throw new ErrnoException(Errno.EEXIST, "link", newPath);
        }

        if (source.IsDirectory)
        {
            throw new ErrnoException(Errno.EPERM, "link", existingPath);
        }

        // The kernel copies a link's source up first: both names then share the upper inode.
        var upper = EnsureUpper(source, "link");
        MakeName(parent, name, newPath, "link", (dir, n) => new SessionRequest
        {
            Link = new LinkRequest { Target = upper.Handle, Directory = dir, Name = n },
        }, r => r.Link.Handle);
        ForgetFile(source);
    }

    public void Unlink(string path)
    {
        using var operation = Begin();
        var (parent, name) = ResolveParent(path);
        var node = name is null ? parent : Existing(Lookup(parent, name), "unlink", path);
        if (node.IsDirectory)
        {
            throw new ErrnoException(Errno.EISDIR, "unlink", path);
        }

        if (name is null)
        {
            // The root of a single-file bind mount is the mount point itself, as unlink(2) of a
            // mount point answers.
            throw new ErrnoException(Errno.EBUSY, "unlink", path);
        }

        RemoveName(parent, node, removeDirectory: false);
    }

    public void Rmdir(string path)
    {
        using var operation = Begin();
        var (parent, name) = ResolveParent(path);
        if (name is null)
        {
            // rmdir(2) checks the type first: a single-file mount's root is ENOTDIR, not busy.
            throw new ErrnoException(!parent.IsDirectory ? Errno.ENOTDIR : parent.Path == "/" ? Errno.EBUSY : Errno.EINVAL, "rmdir", path);
        }

        var node = Existing(Lookup(parent, name), "rmdir", path);
        if (!node.IsDirectory)
        {
            throw new ErrnoException(Errno.ENOTDIR, "rmdir", path);
        }

        RequireUpper("rmdir", path);
        if (List(node).Count > 0)
        {
            throw new ErrnoException(Errno.ENOTEMPTY, "rmdir", path);
        }

        RemoveName(parent, node, removeDirectory: true);
    }

    public void Rename(string oldPath, string newPath, RenameMode mode)
    {
        using var operation = Begin();
        var (oldParent, oldName) = ResolveParent(oldPath);
        var (newParent, newName) = ResolveParent(newPath);
        if (oldName is null || newName is null)
        {
            throw new ErrnoException(Errno.EBUSY, "rename", oldName is null ? oldPath : newPath);
        }

        var source = Existing(Lookup(oldParent, oldName), "rename", oldPath);
        var target = Lookup(newParent, newName);
        if (CheckRename(source, target, newParent, mode, oldPath, newPath))
        {
            return;
        }

        var oldDir = EnsureUpper(oldParent, "rename");
        var newDir = EnsureUpper(newParent, "rename");
        EnsureUpper(source, "rename");
        var flags = mode switch
        {
            RenameMode.Exchange => (uint)RenameFlag.Exchange,
            RenameMode.NoReplace => (uint)RenameFlag.Noreplace,
            _ => 0u,
        };
        if (mode == RenameMode.Exchange)
        {
            EnsureUpper(target!, "rename");
        }
        else
        {
            // The old name must stay hidden where a lower layer still has it.
            if (source.CoversLower)
            {
                flags |= (uint)RenameFlag.Whiteout;
            }

            if (target is { Upper: null })
            {
                // Only a lower has the target: the rename makes a new upper name that shadows it.
                flags &= ~(uint)RenameFlag.Noreplace;
            }
            else if (target is { IsDirectory: true, Lowers.Count: > 0 })
            {
                // An empty directory of the view whose upper part still holds the whiteouts that
                // empty it: the upper directory must be empty for the rename to replace it.
                RemoveUpperChildren(target.Upper!.Handle);
            }
        }

        // Where the moved directory's lower parts are, or that it has none to merge with.
        var sameDirectory = oldParent.Path == newParent.Path;
        MarkMovedDirectory(source, newParent, sameDirectory);
        if (mode == RenameMode.Exchange)
        {
            MarkMovedDirectory(target!, oldParent, sameDirectory);
        }

        // A name hidden by a whiteout is free in the view: the rename replaces the whiteout (so
        // NOREPLACE must not see it). A directory cannot replace it by rename: it is exchanged with
        // it; the whiteout, now at the old name, stays only where a lower layer has that name too.
        var overWhiteout = mode != RenameMode.Exchange && target is null && UpperHasWhiteout(newDir, newName);
        if (overWhiteout)
        {
            flags &= ~(uint)RenameFlag.Noreplace;
            if (source.IsDirectory)
            {
                flags = (uint)RenameFlag.Exchange;
            }
        }

        session.Call(new SessionRequest
        {
            Rename = new RenameRequest { OldDirectory = oldDir.Handle, OldName = Bytes(oldName), NewDirectory = newDir.Handle, NewName = Bytes(newName), Flags = flags },
        });
        if (overWhiteout && source.IsDirectory && !source.CoversLower)
        {
            session.Call(new SessionRequest { Unlink = new UnlinkRequest { Directory = oldDir.Handle, Name = Bytes(oldName) } });
        }
        Forget(source.Path);
        if (target is not null)
        {
            ForgetFile(target);
        }

        Forget(OverlayNode.Child(newParent.Path, newName));
        Refresh(oldParent);
        Refresh(newParent);
    }

    public void Chmod(string path, uint mode)
    {
        using var operation = Begin();
        SetAttributes(Resolve(path, followFinal: true), "chmod", new SetAttrRequest { Mode = mode });
    }

    public void Chown(string path, uint uid, uint gid)
    {
        using var operation = Begin();
        SetAttributes(Resolve(path, followFinal: false), "chown", new SetAttrRequest { Uid = uid, Gid = gid });
    }

    public void Utimes(string path, long accessTimeNs, long modifyTimeNs)
    {
        using var operation = Begin();
        SetAttributes(Resolve(path, followFinal: false), "utimes", new SetAttrRequest
        {
            Atime = new Timespec { Sec = Math.DivRem(accessTimeNs, 1_000_000_000, out var an), Nsec = (uint)an },
            Mtime = new Timespec { Sec = Math.DivRem(modifyTimeNs, 1_000_000_000, out var mn), Nsec = (uint)mn },
        });
    }

    public void SetXattr(string path, string name, byte[] value, XattrMode mode)
    {
        using var operation = Begin();
        var node = Resolve(path, followFinal: false);
        RefuseUserXattrOnSpecialFile(node, name, "setxattr", path);
        var upper = EnsureUpper(node, "setxattr");
        session.Call(new SessionRequest
        {
            SetXattr = new SetXattrRequest
            {
                Handle = upper.Handle,
                Name = StoredXattrName(name),
                Value = ByteString.CopyFrom(value),
                Flags = mode switch { XattrMode.Create => XattrFlag.Create, XattrMode.Replace => XattrFlag.Replace, _ => XattrFlag.None },
            },
        });
    }

    public void RemoveXattr(string path, string name)
    {
        using var operation = Begin();
        var node = Resolve(path, followFinal: false);
        RefuseUserXattrOnSpecialFile(node, name, "removexattr", path);
        RequireUpper("removexattr", path);

        // Removing an xattr a lower file does not have fails before any copy-up, as in the kernel.
        if (node.Upper is null)
        {
            GetXattr(path, name);
        }

        var upper = EnsureUpper(node, "removexattr");
        session.Call(new SessionRequest { RemoveXattr = new RemoveXattrRequest { Handle = upper.Handle, Name = StoredXattrName(name) } });
    }

    private bool Exists(string path)
    {
        try
        {
            Resolve(path, followFinal: true);
            return true;
        }
        catch (ErrnoException e) when (e.Errno == Errno.ENOENT)
        {
            return false;
        }
    }

    /// <summary>The kernel allows user.* xattrs on regular files and directories only: changing one elsewhere is EPERM.</summary>
    private static void RefuseUserXattrOnSpecialFile(OverlayNode node, string name, string operation, string path)
    {
        if (name.StartsWith("user.", StringComparison.Ordinal) && node.Top.Type is not (FileStatus.Regular or FileStatus.Directory))
        {
            throw new ErrnoException(Errno.EPERM, operation, path);
        }
    }

    private long WriteTo(string path, int flags, long offset, ReadOnlySpan<byte> data)
    {
        var node = Resolve(path, followFinal: true);
        if (node.IsDirectory)
        {
            throw new ErrnoException(Errno.EISDIR, "open", path);
        }

        var entry = CopyUpForWrite(node) ?? node.Top;
        var open = session.Call(new SessionRequest { Open = new OpenRequest { Handle = entry.Handle, Flags = (uint)flags } }).Open.Handle;
        try
        {
            var written = session.Call(new SessionRequest { Write = new WriteRequest { Handle = open, Offset = offset, Data = ByteString.CopyFrom(data) } }).Write.Written;
            ForgetFile(node);
            return written;
        }
        finally
        {
            session.Release([open]);
        }
    }

    /// <summary>
    /// The upper entry to open a file for writing: regular files are copied up (the kernel copies
    /// up on open for write); special files are opened where they are, as the kernel leaves their
    /// open to the device or FIFO itself. Null for those.
    /// </summary>
    private LayerEntry? CopyUpForWrite(OverlayNode node)
    {
        if (node.Top.Type != FileStatus.Regular)
        {
            return null;
        }

        return EnsureUpper(node, "open");
    }

    private void SetAttributes(OverlayNode node, string operation, SetAttrRequest request)
    {
        var upper = EnsureUpper(node, operation);
        request.Handle = upper.Handle;
        session.Call(new SessionRequest { SetAttr = request });
        ForgetFile(node);
    }

    /// <summary>
    /// The checks of rename(2), in the kernel's order: the VFS's (existence, NOREPLACE, types,
    /// subtrees) before overlayfs's (EXDEV for a directory a lower layer has, emptiness). True when
    /// there is nothing to do (a name renamed onto itself).
    /// </summary>
    private bool CheckRename(OverlayNode source, OverlayNode? target, OverlayNode newParent, RenameMode mode, string oldPath, string newPath)
    {
        if (mode == RenameMode.Exchange && target is null)
        {
            throw new ErrnoException(Errno.ENOENT, "rename", newPath);
        }

        if (source.Path == target?.Path)
        {
            return mode == RenameMode.NoReplace ? throw new ErrnoException(Errno.EEXIST, "rename", newPath) : true;
        }

        if (mode == RenameMode.NoReplace && target is not null)
        {
            throw new ErrnoException(Errno.EEXIST, "rename", newPath);
        }

        // Into its own subtree: EINVAL. Onto one of its ancestors: that directory is not empty.
        if (IsWithin(newParent.Path, source.Path))
        {
            throw new ErrnoException(Errno.EINVAL, "rename", newPath);
        }

        if (target is not null && IsWithin(source.Path, target.Path))
        {
            throw new ErrnoException(mode == RenameMode.Exchange ? Errno.EINVAL : Errno.ENOTEMPTY, "rename", newPath);
        }

        if (mode == RenameMode.Replace && target is not null && source.IsDirectory != target.IsDirectory)
        {
            throw new ErrnoException(source.IsDirectory ? Errno.ENOTDIR : Errno.EISDIR, "rename", newPath);
        }

        RequireUpper("rename", oldPath);

        // A directory that exists in a lower layer can be moved only by recording where its lower
        // parts are (a redirect): without redirect_dir=on the kernel answers EXDEV (so that
        // userspace copies the tree instead), and so does the sentry.
        if (source.IsDirectory && source.Lowers.Count > 0 && !layout.CreatesRedirects)
        {
            throw new ErrnoException(Errno.EXDEV, "rename", oldPath);
        }

        if (target is { IsDirectory: true } && mode == RenameMode.Exchange && target.Lowers.Count > 0 && !layout.CreatesRedirects)
        {
            throw new ErrnoException(Errno.EXDEV, "rename", newPath);
        }

        if (target is { IsDirectory: true } && mode == RenameMode.Replace && List(target).Count > 0)
        {
            throw new ErrnoException(Errno.ENOTEMPTY, "rename", newPath);
        }

        return false;
    }

    private static bool IsWithin(string path, string ancestor) =>
        path == ancestor || path.StartsWith(ancestor == "/" ? "/" : ancestor + "/", StringComparison.Ordinal);

    /// <summary>
    /// Makes a new name in the upper directory of <paramref name="parent"/>. Where the upper layer
    /// has a whiteout at the name, the new file is made under a temporary name and renamed over
    /// the whiteout, so the name goes from hidden to new in one step; a directory made there is
    /// opaque, so the lower directories the whiteout hid stay hidden.
    /// </summary>
    private void MakeName(OverlayNode parent, string name, string path, string operation, Func<ulong, ByteString, SessionRequest> make, Func<SessionResponse, ulong> handleOf)
    {
        RequireUpper(operation, path);
        var dir = EnsureUpper(parent, operation);

        // Made at its name straight away: every make refuses an existing name (EEXIST), and the
        // only thing the upper can hold at a name the view does not show is a whiteout. Only then
        // is it made under a scratch name and renamed over the whiteout — a round trip spared
        // for every new name that was never removed.
        var madeName = name;
        SessionResponse made;
        try
        {
            made = session.Call(make(dir.Handle, Bytes(name)));
        }
        catch (ErrnoException e) when (e.Errno == Errno.EEXIST && UpperHasWhiteout(dir, name))
        {
            madeName = ScratchName.New();
            made = session.Call(make(dir.Handle, Bytes(madeName)));
        }

        var overWhiteout = madeName != name;
        var handle = handleOf(made);
        var isDirectory = made.ResultCase == SessionResponse.ResultOneofCase.Mkdir;

        // Over a whiteout a new directory must be opaque, or the lower directories the whiteout
        // hid would show through. With redirect_dir=on the kernel also marks every directory made
        // in a directory with lower parts (so a lookup below it never asks the lowers), and the
        // sentry writes the upper as the kernel does.
        if (isDirectory && (overWhiteout || (layout.CreatesRedirects && parent.Lowers.Count > 0)))
        {
            SetOpaque(new LayerEntry((int)layout.UpperLayer!.Value, handle, made.Mkdir.Stat, false));
        }

        if (overWhiteout)
        {
            // A directory cannot replace a non-directory by rename: it is exchanged with the
            // whiteout instead, which is then removed from its temporary name.
            session.Call(new SessionRequest
            {
                Rename = new RenameRequest
                {
                    OldDirectory = dir.Handle,
                    OldName = Bytes(madeName),
                    NewDirectory = dir.Handle,
                    NewName = Bytes(name),
                    Flags = isDirectory ? (uint)RenameFlag.Exchange : 0,
                },
            });
            if (isDirectory)
            {
                session.Call(new SessionRequest { Unlink = new UnlinkRequest { Directory = dir.Handle, Name = Bytes(madeName) } });
            }
        }

        session.Release([handle]);
        Forget(OverlayNode.Child(parent.Path, name));
        Refresh(parent);
    }

    /// <summary>Removes a name from the view: from the upper layer, leaving a whiteout where a lower layer still has it.</summary>
    private void RemoveName(OverlayNode parent, OverlayNode node, bool removeDirectory)
    {
        RequireUpper(removeDirectory ? "rmdir" : "unlink", node.Path);
        var dir = EnsureUpper(parent, removeDirectory ? "rmdir" : "unlink");
        var name = Bytes(node.Name);
        if (node.CoversLower && node.Upper is null)
        {
            // Every make hands back a handle on what it made; a whiteout's is of no use, and
            // kept it would hold one of the gofer's descriptors per name ever removed.
            session.Release([session.Call(new SessionRequest { Mknod = new MknodRequest { Directory = dir.Handle, Name = name, Mode = FileStatus.CharDevice } }).Mknod.Handle]);
        }
        else if (node.CoversLower && !removeDirectory)
        {
            // A whiteout made under a temporary name replaces the file in one rename. A crash
            // between the two leaves only that whiteout, which no view shows; the other order
            // (RENAME_WHITEOUT, then removal of the file from a temporary name) would leave the
            // whole file visible under the temporary name.
            var temporary = Bytes(ScratchName.New());
            session.Release([session.Call(new SessionRequest { Mknod = new MknodRequest { Directory = dir.Handle, Name = temporary, Mode = FileStatus.CharDevice } }).Mknod.Handle]);
            session.Call(new SessionRequest { Rename = new RenameRequest { OldDirectory = dir.Handle, OldName = temporary, NewDirectory = dir.Handle, NewName = name } });
        }
        else if (node.CoversLower)
        {
            // One step from "the upper's directory" to "a whiteout" (RENAME_WHITEOUT): a whiteout
            // cannot be renamed over a directory. The directory, now under a temporary name, is
            // emptied and removed after; a crash before that leaves it visible there.
            var temporary = Bytes(ScratchName.New());
            session.Call(new SessionRequest { Rename = new RenameRequest { OldDirectory = dir.Handle, OldName = name, NewDirectory = dir.Handle, NewName = temporary, Flags = (uint)RenameFlag.Whiteout } });
            RemoveUpperEntry(dir.Handle, temporary, removeDirectory);
        }
        else
        {
            RemoveUpperEntry(dir.Handle, name, removeDirectory);
        }

        // The file may live on under other names (hard links): their link count just changed.
        ForgetFile(node);
        Refresh(parent);
    }

    /// <summary>Removes an upper file, or an upper directory with the whiteouts it may still hold (it is empty in the view).</summary>
    private void RemoveUpperEntry(ulong directory, ByteString name, bool isDirectory)
    {
        if (isDirectory)
        {
            var walk = session.Call(new SessionRequest { Walk = new WalkRequest { Directory = directory, Names = { name }, Handles = WalkHandles.Last } }).Walk;
            var handle = walk.Entries[^1].Handle;
            RemoveUpperChildren(handle);
            session.Release([handle]);
        }

        session.Call(new SessionRequest { Unlink = new UnlinkRequest { Directory = directory, Name = name, RemoveDirectory = isDirectory } });
    }

    /// <summary>Removes what an upper directory that is empty in the view still holds: whiteouts, and the empty opaque directories left by removals below.</summary>
    private void RemoveUpperChildren(ulong directory)
    {
        var entries = session.Call(new SessionRequest { ReadDir = new ReadDirRequest { Handle = directory } }).ReadDir.Entries;
        session.CallMany([.. entries.Select(e => new SessionRequest { Unlink = new UnlinkRequest { Directory = directory, Name = e.Name, RemoveDirectory = e.Type == 4 } })]);
    }

    /// <summary>
    /// What the kernel records on a directory moved by rename (fs/overlayfs/dir.c, ovl_rename): one
    /// with lower parts gets a redirect to them; one without, moved into a directory that has lower
    /// parts, is made opaque so it never merges with a lower directory of its new name.
    /// </summary>
    private void MarkMovedDirectory(OverlayNode moved, OverlayNode newParent, bool sameDirectory)
    {
        if (!moved.IsDirectory)
        {
            return;
        }

        if (moved.Lowers.Count > 0)
        {
            SetRedirect(moved, sameDirectory);
        }
        else if (!moved.Upper!.Opaque && newParent.Lowers.Count > 0)
        {
            SetOpaque(moved.Upper);
        }
    }

    /// <summary>
    /// Records where a directory about to be renamed finds its lower parts (the kernel's
    /// ovl_set_redirect): its old name when it stays in its directory, else the absolute path of
    /// its lower location. A redirect it has already is kept when it still holds: a relative one
    /// within the same directory, an absolute one anywhere. A redirect that cannot be written is
    /// EXDEV, as the kernel answers, so userspace falls back to copying.
    /// </summary>
    private void SetRedirect(OverlayNode directory, bool sameDirectory)
    {
        if (directory.Redirect is { } existing && (sameDirectory || existing.StartsWith('/')))
        {
            return;
        }

        var redirect = sameDirectory ? directory.Name : AbsoluteRedirect(directory);
        try
        {
            session.Call(new SessionRequest
            {
                SetXattr = new SetXattrRequest { Handle = directory.Upper!.Handle, Name = layout.RedirectXattr, Value = ByteString.CopyFromUtf8(redirect) },
            });
        }
        catch (ErrnoException e)
        {
            throw new ErrnoException(Errno.EXDEV, "rename", $"{directory.Path} (redirect not set: errno {e.Errno})");
        }
    }

    /// <summary>
    /// The path of a directory's lower location from the lower layers' root (the kernel's
    /// ovl_get_redirect): its components from the directory up, each ancestor contributing its own
    /// redirect where it has one, up to an absolute redirect or the root. EXDEV beyond
    /// <see cref="RedirectPath.MaxCreatedLength"/> bytes, as the kernel refuses then.
    /// </summary>
    private string AbsoluteRedirect(OverlayNode directory)
    {
        var parts = new List<string>();
        var length = 0;
        for (var current = directory; current.Path != "/"; current = cache[current.ParentPath])
        {
            var part = current.Redirect ?? current.Name;
            length += Encoding.UTF8.GetByteCount(part) + (part.StartsWith('/') ? 0 : 1);
            if (length > RedirectPath.MaxCreatedLength)
            {
                throw new ErrnoException(Errno.EXDEV, "rename", $"{directory.Path} (redirect over {RedirectPath.MaxCreatedLength} bytes)");
            }

            parts.Insert(0, part);
            if (part.StartsWith('/'))
            {
                break;
            }
        }

        return string.Concat(parts.Select(p => p.StartsWith('/') ? p : "/" + p));
    }

    /// <summary>
    /// The node's upper entry, copying it up first (parents first) when only a lower has it. The
    /// gofer copies atomically, so the view never shows a partial file.
    /// </summary>
    private LayerEntry EnsureUpper(OverlayNode node, string operation)
    {
        if (node.Upper is { } upper)
        {
            return upper;
        }

        RequireUpper(operation, node.Path);
        var parent = EnsureUpper(cache[node.ParentPath], operation);
        var copy = session.Call(new SessionRequest { CopyUp = new CopyUpRequest { Source = node.Top.Handle, Directory = parent.Handle, Name = Bytes(node.Name) } }).CopyUp;
        node.Upper = new LayerEntry((int)layout.UpperLayer!.Value, copy.Handle, copy.Stat, false);
        cache.Reweigh(node);
        return node.Upper;
    }

    private bool UpperHasWhiteout(LayerEntry directory, string name)
    {
        if (!layout.HasMarkers)
        {
            return false;
        }

        var walk = session.Call(new SessionRequest { Walk = new WalkRequest { Directory = directory.Handle, Names = { Bytes(name) }, Handles = WalkHandles.None } }).Walk;
        return walk.Entries.Count == 1 && (walk.Entries[0].Stat.Mode & FileStatus.TypeMask) == FileStatus.CharDevice && walk.Entries[0].Stat.Rdev == 0;
    }

    private void SetOpaque(LayerEntry directory) =>
        session.Call(new SessionRequest { SetXattr = new SetXattrRequest { Handle = directory.Handle, Name = layout.OpaqueXattr, Value = ByteString.CopyFromUtf8("y") } });

    /// <summary>Marks a directory's stat for re-reading after its entries changed (its link count and times did).</summary>
    private static void Refresh(OverlayNode directory)
    {
        // Only its size, link count and times changed, which only its attributes show: they are
        // read again when next asked for (see Attributes), not at every change made in it.
        if (directory.Upper is not null)
        {
            directory.UpperStatStale = true;
        }
    }

    private void RequireUpper(string operation, string path)
    {
        if (layout.UpperLayer is null)
        {
            throw new ErrnoException(Errno.EROFS, operation, path);
        }
    }

}
