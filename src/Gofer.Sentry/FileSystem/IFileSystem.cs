namespace Gofer.Sentry.FileSystem;

/// <summary>
/// POSIX-shaped operations on one filesystem view, by absolute path inside it ("/" is its root).
/// Intermediate symlinks are followed; a relative target resolves inside the view and an absolute
/// one from the view's root, never outside it. Every failure is a
/// <see cref="Gofer.Native.ErrnoException"/> carrying the exact Linux errno the same system call
/// would give on a kernel mount of the same thing. The process acts with umask 0: modes are
/// applied exactly as given.
/// </summary>
public interface IFileSystem
{
    /// <summary>lstat(2).</summary>
    FileAttributes Lstat(string path);

    /// <summary>stat(2): follows a final symlink.</summary>
    FileAttributes Stat(string path);

    /// <summary>The directory's entries, sorted by name bytes, without <c>.</c> and <c>..</c>.</summary>
    IReadOnlyList<DirectoryEntry> ReadDir(string path);

    /// <summary>open(O_RDONLY|O_NONBLOCK), pread from <paramref name="offset"/> until <paramref name="length"/> bytes or end of file (-1: to end of file).</summary>
    byte[] Read(string path, long offset, long length);

    /// <summary>open(O_WRONLY|O_NONBLOCK), pwrite at <paramref name="offset"/>; returns the bytes written.</summary>
    long Write(string path, long offset, ReadOnlySpan<byte> data);

    /// <summary>open(O_WRONLY|O_APPEND|O_NONBLOCK), write; returns the bytes written.</summary>
    long Append(string path, ReadOnlySpan<byte> data);

    /// <summary>open(O_CREAT|O_WRONLY|O_NONBLOCK [|O_EXCL][|O_TRUNC], mode), close.</summary>
    void Create(string path, uint mode, bool exclusive, bool truncate);

    /// <summary>truncate(2).</summary>
    void Truncate(string path, long size);

    /// <summary>mkdir(2).</summary>
    void Mkdir(string path, uint mode);

    /// <summary>rmdir(2).</summary>
    void Rmdir(string path);

    /// <summary>unlink(2).</summary>
    void Unlink(string path);

    /// <summary>mknod(S_IFIFO | mode).</summary>
    void Mkfifo(string path, uint mode);

    /// <summary>renameat2(2).</summary>
    void Rename(string oldPath, string newPath, RenameMode mode);

    /// <summary>linkat(2) without flags: a new name for the file at <paramref name="existingPath"/> (not following a final symlink).</summary>
    void Link(string existingPath, string newPath);

    /// <summary>symlink(2).</summary>
    void Symlink(string target, string path);

    /// <summary>readlink(2).</summary>
    string Readlink(string path);

    /// <summary>chmod(2): follows a final symlink.</summary>
    void Chmod(string path, uint mode);

    /// <summary>lchown(2).</summary>
    void Chown(string path, uint uid, uint gid);

    /// <summary>utimensat(AT_SYMLINK_NOFOLLOW) with both times.</summary>
    void Utimes(string path, long accessTimeNs, long modifyTimeNs);

    /// <summary>lsetxattr(2).</summary>
    void SetXattr(string path, string name, byte[] value, XattrMode mode);

    /// <summary>lgetxattr(2).</summary>
    byte[] GetXattr(string path, string name);

    /// <summary>llistxattr(2), every name the view shows.</summary>
    IReadOnlyList<string> ListXattr(string path);

    /// <summary>lremovexattr(2).</summary>
    void RemoveXattr(string path, string name);
}
