using System.Text;
using Tmds.Linux;

namespace Gofer.Native;

/// <summary>What stat(2) reports about a path, following symlinks: its file type and the filesystem it is on.</summary>
/// <param name="Device">st_dev: the filesystem holding the file. Equal values mean the same filesystem.</param>
/// <param name="Mode">st_mode: file type and permission bits.</param>
public readonly record struct PathStatus(ulong Device, uint Mode)
{
    /// <summary>The file is a directory.</summary>
    public bool IsDirectory => HasType(LibC.S_IFDIR);

    /// <summary>The file type bits (<c>S_IFMT</c>), as in <see cref="FileStatus.Type"/>.</summary>
    public uint Type => Mode & FileStatus.TypeMask;

    /// <summary>The file is a regular file.</summary>
    public bool IsRegularFile => HasType(LibC.S_IFREG);

    /// <summary>Calls stat(2) on <paramref name="path"/>, following symlinks as mount(2) and overlayfs do.</summary>
    /// <param name="path">The path to examine.</param>
    /// <param name="status">The result when the call succeeds.</param>
    /// <param name="errno">The errno of the failure, or 0.</param>
    /// <returns>Whether stat succeeded.</returns>
    public static unsafe bool TryGet(string path, out PathStatus status, out int errno)
    {
        ArgumentNullException.ThrowIfNull(path);
        status = default;

        // A NUL would end the C string early and stat a different, shorter path.
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            errno = LibC.EINVAL;
            return false;
        }

        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        stat buffer;
        fixed (byte* p = bytes)
        {
            if (LibC.stat(p, &buffer) != 0)
            {
                errno = LibC.errno;
                return false;
            }
        }

        status = new PathStatus(buffer.st_dev, (ushort)buffer.st_mode);
        errno = 0;
        return true;
    }

    private bool HasType(mode_t type) => (Mode & (ushort)LibC.S_IFMT) == (ushort)type;
}
