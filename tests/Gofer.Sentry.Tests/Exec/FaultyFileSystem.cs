using Gofer.Sentry.FileSystem;
using FileAttributes = Gofer.Sentry.FileSystem.FileAttributes;

namespace Gofer.Sentry.Tests.Exec;

/// <summary>
/// Another view with faults injected: before each call, <paramref name="fault"/> is asked with the
/// operation and the path, and what it returns is thrown; otherwise the call goes through.
/// </summary>
public sealed class FaultyFileSystem(IFileSystem inner, Func<string, string, Exception?> fault) : IFileSystem
{
    public FileAttributes Lstat(string path) => Check(nameof(Lstat), path).Lstat(path);

    public FileAttributes Stat(string path) => Check(nameof(Stat), path).Stat(path);

    public IReadOnlyList<DirectoryEntry> ReadDir(string path) => Check(nameof(ReadDir), path).ReadDir(path);

    public byte[] Read(string path, long offset, long length) => Check(nameof(Read), path).Read(path, offset, length);

    public long Write(string path, long offset, ReadOnlySpan<byte> data) => Check(nameof(Write), path).Write(path, offset, data);

    public long Append(string path, ReadOnlySpan<byte> data) => Check(nameof(Append), path).Append(path, data);

    public void Create(string path, uint mode, bool exclusive, bool truncate) => Check(nameof(Create), path).Create(path, mode, exclusive, truncate);

    public void Truncate(string path, long size) => Check(nameof(Truncate), path).Truncate(path, size);

    public void Mkdir(string path, uint mode) => Check(nameof(Mkdir), path).Mkdir(path, mode);

    public void Rmdir(string path) => Check(nameof(Rmdir), path).Rmdir(path);

    public void Unlink(string path) => Check(nameof(Unlink), path).Unlink(path);

    public void Mkfifo(string path, uint mode) => Check(nameof(Mkfifo), path).Mkfifo(path, mode);

    public void Rename(string oldPath, string newPath, RenameMode mode) => Check(nameof(Rename), oldPath).Rename(oldPath, newPath, mode);

    public void Link(string existingPath, string newPath) => Check(nameof(Link), existingPath).Link(existingPath, newPath);

    public void Symlink(string target, string path) => Check(nameof(Symlink), path).Symlink(target, path);

    public string Readlink(string path) => Check(nameof(Readlink), path).Readlink(path);

    public void Chmod(string path, uint mode) => Check(nameof(Chmod), path).Chmod(path, mode);

    public void Chown(string path, uint uid, uint gid) => Check(nameof(Chown), path).Chown(path, uid, gid);

    public void Utimes(string path, long accessTimeNs, long modifyTimeNs) => Check(nameof(Utimes), path).Utimes(path, accessTimeNs, modifyTimeNs);

    public void SetXattr(string path, string name, byte[] value, XattrMode mode) => Check(nameof(SetXattr), path).SetXattr(path, name, value, mode);

    public byte[] GetXattr(string path, string name) => Check(nameof(GetXattr), path).GetXattr(path, name);

    public IReadOnlyList<string> ListXattr(string path) => Check(nameof(ListXattr), path).ListXattr(path);

    public void RemoveXattr(string path, string name) => Check(nameof(RemoveXattr), path).RemoveXattr(path, name);

    private IFileSystem Check(string operation, string path) => fault(operation, path) is { } e ? throw e : inner;
}
