using System.Security.Cryptography;
using System.Text.Json;
using Gofer.Native;
using Gofer.Sentry.FileSystem;
using FileAttributes = Gofer.Sentry.FileSystem.FileAttributes;

namespace Gofer.Sentry.Exec;

/// <summary>
/// The <c>tree</c> op: a recursive lstat walk from a path, every entry described (xattrs, content
/// hash, symlink target) and the whole sorted by path bytes. Symlinks are described, never followed.
/// </summary>
/// <remarks>
/// The entry at the path itself must be stat'able: if it is not, the op fails with that errno (a
/// tree of a missing path is ENOENT, like every other op). Below it, an entry that cannot be
/// described (lstat, listing, reading, readlink or an xattr fails) becomes <c>{"path","error"}</c>
/// with the first errno met, nothing below it is listed, and the walk goes on.
/// </remarks>
internal static class Tree
{
    private const int HashChunk = 1024 * 1024;

    public static void Write(Utf8JsonWriter json, IFileSystem fileSystem, string path)
    {
        var entries = Walk(fileSystem, path);
        entries.Sort((a, b) => Utf8Order.Instance.Compare(a.Path, b.Path));
        json.WriteStartArray("entries");
        foreach (var entry in entries)
        {
            entry.WriteTo(json);
        }

        json.WriteEndArray();
    }

    private static List<TreeEntry> Walk(IFileSystem fileSystem, string path)
    {
        var entries = new List<TreeEntry>();

        // A stack, not recursion: the depth of a tree is not bounded by the depth of this thread's stack.
        var pending = new Stack<(string Path, FileAttributes? Attributes)>();
        pending.Push((path, fileSystem.Lstat(path)));
        while (pending.TryPop(out var item))
        {
            try
            {
                var attributes = item.Attributes ?? fileSystem.Lstat(item.Path);
                var entry = Describe(fileSystem, item.Path, attributes);
                var children = attributes.Kind == FileKind.Directory ? fileSystem.ReadDir(item.Path) : [];
                entries.Add(entry);
                foreach (var child in children)
                {
                    pending.Push((Join(item.Path, child.Name), null));
                }
            }
            catch (ErrnoException e)
            {
                entries.Add(TreeEntry.Failed(item.Path, e.Errno));
            }
        }

        return entries;
    }

    private static TreeEntry Describe(IFileSystem fileSystem, string path, FileAttributes attributes)
    {
        var xattrs = UserXattrs.Names(fileSystem, path).Select(name => (name, fileSystem.GetXattr(path, name))).ToList();
        return TreeEntry.Described(
            path,
            attributes,
            xattrs,
            attributes.Kind == FileKind.File ? Sha256(fileSystem, path) : null,
            attributes.Kind == FileKind.Symlink ? fileSystem.Readlink(path) : null);
    }

    private static string Sha256(IFileSystem fileSystem, string path)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var offset = 0L; ;)
        {
            var chunk = fileSystem.Read(path, offset, HashChunk);
            if (chunk.Length == 0)
            {
                return Convert.ToHexStringLower(hash.GetHashAndReset());
            }

            hash.AppendData(chunk);
            offset += chunk.Length;
        }
    }

    private static string Join(string directory, string name) =>
        directory.EndsWith('/') ? directory + name : $"{directory}/{name}";
}
