using Gofer.Native;

namespace Gofer.Server.Service;

/// <summary>
/// What a handle stands for: one descriptor of one file in one layer. Path nodes hold an O_PATH
/// descriptor (from walk, attach, mkdir…); open nodes hold a descriptor opened for I/O.
/// </summary>
public sealed class Node : IDisposable
{
    public Node(ServedLayer layer, FileDescriptor fd, uint type, int openFlags = -1)
    {
        Layer = layer;
        Fd = fd;
        Type = type;
        OpenFlags = openFlags;
    }

    public ServedLayer Layer { get; }

    public FileDescriptor Fd { get; }

    /// <summary>The file type bits (<c>S_IFMT</c>): a file never changes type.</summary>
    public uint Type { get; }

    /// <summary>The open(2) flags of an open node; -1 for a path node.</summary>
    public int OpenFlags { get; }

    public bool IsOpen => OpenFlags >= 0;

    public bool IsDirectory => Type == FileStatus.Directory;

    public bool CanRead => IsOpen && (OpenFlags & Syscalls.O_ACCMODE) != Syscalls.O_WRONLY;

    public bool CanWrite => IsOpen && (OpenFlags & Syscalls.O_ACCMODE) != Syscalls.O_RDONLY;

    /// <summary>Keeps the descriptor open, even through <see cref="Dispose"/>, until the matching <see cref="Release"/>.</summary>
    public void Hold()
    {
        var added = false;
        Fd.DangerousAddRef(ref added);
    }

    /// <summary>Ends one <see cref="Hold"/>; the descriptor closes here if the node was disposed meanwhile.</summary>
    public void Release() => Fd.DangerousRelease();

    public void Dispose() => Fd.Dispose();
}
