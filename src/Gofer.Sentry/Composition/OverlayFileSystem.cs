using System.Text;
using Gofer.Native;
using Gofer.Protocol.V1;
using Gofer.Sentry.FileSystem;
using FileAttributes = Gofer.Sentry.FileSystem.FileAttributes;
using Google.Protobuf;

namespace Gofer.Sentry.Composition;

/// <summary>
/// One mount composed from its layers with the semantics of Linux overlayfs
/// (Documentation/filesystems/overlayfs.rst): a name is looked up in the upper layer, then in the
/// lowers top-down; a whiteout hides what lies below; a non-directory ends the search; directories
/// merge unless one is opaque. Lookups are cached by path: the gofer is the only writer of the
/// upper layer, and (as with the kernel) changing layers behind the overlay's back is undefined.
/// </summary>
public sealed partial class OverlayFileSystem : IFileSystem, IDisposable
{
    /// <summary>Symlinks followed in one resolution before ELOOP, as the kernel's MAXSYMLINKS.</summary>
    private const int MaxSymlinks = 40;

    /// <summary>Names known to be absent remembered at most (see Lookup).</summary>
    private const int MaxAbsentNames = 65_536;

    private readonly GoferSession session;
    private readonly OverlayLayout layout;
    private readonly NodeCache cache;
    private readonly HashSet<string> absent = new(StringComparer.Ordinal);

    /// <summary>Most handles the gofer lets this connection hold (its <c>handle_limit</c>).</summary>
    private readonly int handleLimit;

    /// <summary>Files open through <see cref="Open"/> and not yet closed: each holds a handle the cache must leave room for.</summary>
    private int openFiles;

    /// <summary>How deep in public operations the view is (see <see cref="Begin"/>).</summary>
    private int depth;

    /// <param name="handleLimit">Most handles the gofer lets this connection hold (ListMounts' <c>handle_limit</c>); 0 for a gofer that does not say, taken as its fixed per-connection cap.</param>
    public OverlayFileSystem(GoferSession session, OverlayLayout layout, int handleLimit = 0)
    {
        ArgumentNullException.ThrowIfNull(layout);
        this.session = session;
        this.layout = layout;
        this.handleLimit = handleLimit > 0 ? handleLimit : DefaultHandleLimit;
        var layers = (layout.UpperLayer is { } u ? [u] : Array.Empty<uint>()).Concat(layout.LowerLayers).ToList();
        var roots = session.CallMany(layers.Select(id => new SessionRequest { Attach = new AttachRequest { Layer = id } }).ToList())
            .Select(r => GoferSession.Check(r).Attach)
            .Zip(layers, (a, id) => new LayerEntry((int)id, a.Handle, a.Stat, false))
            .ToList();
        var upper = layout.UpperLayer is null ? null : roots[0];
        cache = new NodeCache(new OverlayNode("/", upper, upper is null ? roots : roots.Skip(1).ToList()));
    }

    /// <summary>A gofer's per-connection handle cap when it names no budget of its own.</summary>
    public const int DefaultHandleLimit = 65_536;

    /// <summary>Round trips to the gofer so far.</summary>
    public long RoundTrips => session.RoundTrips;

    public FileAttributes Lstat(string path)
    {
        using var operation = Begin();
        return Attributes(Resolve(path, followFinal: false));
    }

    public FileAttributes Stat(string path)
    {
        using var operation = Begin();
        return Attributes(Resolve(path, followFinal: true));
    }

    public IReadOnlyList<DirectoryEntry> ReadDir(string path)
    {
        using var operation = Begin();
        var node = Resolve(path, followFinal: true);
        return node.IsDirectory
            ? [.. List(node).Select(e => new DirectoryEntry(e.Key, KindOf(e.Value.Type)) { Device = e.Value.Device, Inode = e.Value.Inode }).OrderBy(e => e.Name, NameOrder.Instance)]
            : throw new ErrnoException(Errno.ENOTDIR, "readdir", path);
    }

    public byte[] Read(string path, long offset, long length)
    {
        using var operation = Begin();
        var node = Resolve(path, followFinal: true);
        var open = session.Call(new SessionRequest { Open = new OpenRequest { Handle = node.Top.Handle, Flags = Syscalls.O_RDONLY | Syscalls.O_NONBLOCK } }).Open.Handle;
        try
        {
            // pread(2) has no offset on a FIFO: ESPIPE, whatever is in it.
            if (node.Top.Type == FileStatus.Fifo)
            {
                throw new ErrnoException(Errno.ESPIPE, "read", path);
            }

            using var data = new MemoryStream();
            do
            {
                // At least one read even for length 0, so a directory still answers EISDIR.
                var want = length < 0 ? 1 << 20 : (int)Math.Clamp(length - data.Length, 1, 1 << 20);
                var chunk = session.Call(new SessionRequest { Read = new ReadRequest { Handle = open, Offset = offset + data.Length, Length = want } }).Read.Data;
                if (chunk.IsEmpty || length == 0)
                {
                    break;
                }

                chunk.WriteTo(data);
            }
            while (length < 0 || data.Length < length);

            return data.ToArray();
        }
        finally
        {
            session.Release([open]);
        }
    }

    public string Readlink(string path)
    {
        using var operation = Begin();
        var node = Resolve(path, followFinal: false);
        return node.Top.IsSymlink
            ? ReadTarget(node)
            : throw new ErrnoException(Errno.EINVAL, "readlink", path);
    }

    public byte[] GetXattr(string path, string name)
    {
        using var operation = Begin();
        var node = Resolve(path, followFinal: false);
        return session.Call(new SessionRequest { GetXattr = new GetXattrRequest { Handle = node.Top.Handle, Name = StoredXattrName(name) } }).GetXattr.Value.ToByteArray();
    }

    public IReadOnlyList<string> ListXattr(string path)
    {
        using var operation = Begin();
        var node = Resolve(path, followFinal: false);
        var names = session.Call(new SessionRequest { ListXattr = new ListXattrRequest { Handle = node.Top.Handle } }).ListXattr.Names;
        return [.. names.Select(VisibleXattrName).OfType<string>()];
    }

    public void Dispose() => session.Dispose();

    /// <summary>
    /// The name a file's xattr has on its layer. The overlay's own prefix is reserved for its
    /// markers, so a file's own xattr under that prefix is stored escaped (<c>trusted.overlay.x</c>
    /// as <c>trusted.overlay.overlay.x</c>), as the kernel escapes it.
    /// </summary>
    private string StoredXattrName(string name) =>
        layout.XattrPrefix is { } prefix && name.StartsWith(prefix, StringComparison.Ordinal) ? prefix + "overlay." + name[prefix.Length..] : name;

    /// <summary>The name a stored xattr shows in the view: escaped ones unescaped, the overlay's markers hidden (null).</summary>
    private string? VisibleXattrName(string stored)
    {
        if (layout.XattrPrefix is not { } prefix || !stored.StartsWith(prefix, StringComparison.Ordinal))
        {
            return stored;
        }

        var escaped = prefix + "overlay.";
        return stored.StartsWith(escaped, StringComparison.Ordinal) ? prefix + stored[escaped.Length..] : null;
    }

    private FileAttributes Attributes(OverlayNode node)
    {
        if (node.UpperStatStale && node.Upper is { } upper)
        {
            node.Upper = upper with { Stat = session.Call(new SessionRequest { Stat = new StatRequest { Handle = upper.Handle } }).Stat.Stat };
            node.UpperStatStale = false;
        }

        var s = node.Top.Stat;

        // A merged directory's link count cannot be known without listing every layer; overlayfs
        // reports 1 ("unknown") for it, and so does the sentry.
        var links = node.IsMerged ? 1u : s.Nlink;

        // Every directory shows the mount's one device, and a directory keeps the inode number of
        // its topmost lower part, so copying it up does not change its identity (what `find` and
        // `du` rely on). Files show their own layer's numbers.
        var device = node.IsDirectory ? cache.Root.Top.Stat.Dev : s.Dev;
        var inode = node.IsDirectory && node.Lowers.Count > 0 ? node.Lowers[0].Stat.Ino : s.Ino;
        return new FileAttributes(KindOf(s.Mode & FileStatus.TypeMask), s.Mode & 0xFFF, s.Size, links, s.Uid, s.Gid, device, inode, s.Rdev,
            (s.Atime.Sec * 1_000_000_000) + s.Atime.Nsec, (s.Mtime.Sec * 1_000_000_000) + s.Mtime.Nsec);
    }

    private string ReadTarget(OverlayNode node) =>
        Encoding.UTF8.GetString(session.Call(new SessionRequest { Readlink = new ReadlinkRequest { Handle = node.Top.Handle } }).Readlink.Target.Span);

    /// <summary>
    /// Resolves an absolute path in the view. Intermediate symlinks are followed (a relative target
    /// from the directory holding the link, an absolute one from the view's root, never beyond it:
    /// ".." at the root stays at the root); the final one only when asked.
    /// </summary>
    private OverlayNode Resolve(string path, bool followFinal)
    {
        var (parent, name) = ResolveParent(path);
        return name is null ? parent : Step(parent, name, followFinal, path, 0);
    }

    /// <summary>The directory that holds a path's last component, and that component (null when the path names the root or ends in "." or "..").</summary>
    private (OverlayNode Parent, string? Name) ResolveParent(string path)
    {
        if (!path.StartsWith('/'))
        {
            throw new ErrnoException(Errno.EINVAL, "resolve", path);
        }

        var components = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = cache.Root;
        var links = 0;
        for (var i = 0; i < components.Length - 1; i++)
        {
            Prefetch(current, components[i..]);
            current = Step(current, components[i], follow: true, path, links);
            if (!current.IsDirectory)
            {
                throw new ErrnoException(Errno.ENOTDIR, "resolve", path);
            }
        }

        if (components.Length == 0)
        {
            return (current, null);
        }

        // Every directory on the way was checked above, but not the root: that of a single-file
        // bind mount (/etc/hosts) is that file, and has no names in it.
        if (!current.IsDirectory)
        {
            throw new ErrnoException(Errno.ENOTDIR, "resolve", path);
        }

        var last = components[^1];
        return last is "." or ".." ? (Step(current, last, follow: true, path, links), null) : (current, last);
    }

    /// <summary>One component from a directory: ".", "..", or a name, following it if it is a symlink and <paramref name="follow"/>.</summary>
    private OverlayNode Step(OverlayNode directory, string name, bool follow, string path, int links)
    {
        if (name == ".")
        {
            return directory;
        }

        if (name == "..")
        {
            return cache[directory.ParentPath];
        }

        var node = Lookup(directory, name) ?? throw new ErrnoException(Errno.ENOENT, "lookup", path);
        while (follow && node.Top.IsSymlink)
        {
            if (++links > MaxSymlinks)
            {
                throw new ErrnoException(Errno.ELOOP, "lookup", path);
            }

            var target = ReadTarget(node);
            var start = target.StartsWith('/') ? cache.Root : cache[node.ParentPath];
            node = Walk(start, target, path, links);
        }

        return node;
    }

    /// <summary>Follows a symlink's target from <paramref name="start"/>, every component followed.</summary>
    private OverlayNode Walk(OverlayNode start, string target, string path, int links)
    {
        var current = start;
        foreach (var component in target.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!current.IsDirectory)
            {
                throw new ErrnoException(Errno.ENOTDIR, "lookup", path);
            }

            current = Step(current, component, follow: true, path, links + 1);
        }

        return current;
    }

    internal static FileKind KindOf(uint type) => type switch
    {
        FileStatus.Directory => FileKind.Directory,
        FileStatus.Symlink => FileKind.Symlink,
        FileStatus.Fifo => FileKind.Fifo,
        FileStatus.CharDevice => FileKind.CharDevice,
        FileStatus.BlockDevice => FileKind.BlockDevice,
        FileStatus.Socket => FileKind.Socket,
        _ => FileKind.File,
    };

    private static ByteString Bytes(string name) => ByteString.CopyFromUtf8(name);
}
