using Gofer.Fuse.Nodes;
using Gofer.Native;
using Gofer.Sentry.Composition;
using Gofer.Sentry.FileSystem;

namespace Gofer.Fuse.Operations;

/// <summary>The kernel's file handles (fh) for open files and directories. Numbers are never reused.</summary>
internal sealed class HandleTable : IDisposable
{
    private readonly Dictionary<ulong, FileHandle> files = [];
    private readonly Dictionary<ulong, DirectoryHandle> directories = [];
    private ulong next = 1;

    public ulong AddFile(FuseNode node, OpenFile file, bool onUpper)
    {
        files[next] = new FileHandle(node, file, onUpper);
        node.OpenFiles.Add(file);
        return next++;
    }

    /// <summary>The open file; EBADF for a handle the kernel never got (it only sends its own).</summary>
    public FileHandle File(ulong fh) =>
        files.TryGetValue(fh, out var handle) ? handle : throw new ErrnoException(Errno.EBADF, "fuse file handle", $"#{fh}");

    public bool TryFile(ulong fh, out FileHandle? handle) => files.TryGetValue(fh, out handle);

    public void RemoveFile(ulong fh)
    {
        if (files.Remove(fh, out var handle))
        {
            handle.Node.OpenFiles.Remove(handle.File);
            handle.File.Dispose();
        }
    }

    public ulong AddDirectory(FuseNode node, Func<IReadOnlyList<DirectoryEntry>> list)
    {
        directories[next] = new DirectoryHandle(node, list);
        return next++;
    }

    public DirectoryHandle Directory(ulong fh) =>
        directories.TryGetValue(fh, out var handle) ? handle : throw new ErrnoException(Errno.EBADF, "fuse directory handle", $"#{fh}");

    public void RemoveDirectory(ulong fh) => directories.Remove(fh);

    public void Dispose()
    {
        foreach (var handle in files.Values)
        {
            handle.File.Dispose();
        }

        files.Clear();
        directories.Clear();
    }
}
