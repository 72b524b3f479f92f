using Gofer.Native;
using Gofer.Protocol.V1;
using Gofer.Server.Spec;

namespace Gofer.Server.Service;

/// <summary>
/// The file service's operations, independent of how a request arrived (a unary call or the
/// Session stream). Each takes the caller's handles (<see cref="CallHandles"/>) and a request, and
/// returns the response or throws <see cref="ErrnoException"/> with the exact errno.
/// </summary>
/// <remarks>
/// Rules every operation keeps, because the client is untrusted:
/// names are single components (<see cref="ComponentName"/>); every lookup is relative to a
/// handle's descriptor with O_NOFOLLOW, never a path; symlinks are never followed; read-only
/// layers refuse modifications here, before the kernel would.
/// </remarks>
public sealed partial class FileOperations(ServedMounts mounts)
{
    /// <summary>Most components one Walk may name.</summary>
    public const int MaxWalkNames = 256;

    /// <summary>Largest single Read or Write.</summary>
    public const int MaxTransfer = 4 << 20;

    public ListMountsResponse ListMounts(CallHandles handles)
    {
        var response = new ListMountsResponse { HandleLimit = (uint)handles.Capacity };
        foreach (var mount in mounts.Plan.Mounts)
        {
            var message = new Mount
            {
                Destination = mount.Destination,
                Kind = mount.Kind switch
                {
                    Spec.MountKind.Rootfs => Protocol.V1.MountKind.Rootfs,
                    Spec.MountKind.Bind => Protocol.V1.MountKind.Bind,
                    _ => Protocol.V1.MountKind.Overlay,
                },
                Options = { mount.Options },
            };
            if (mount.Overlay is { } overlay)
            {
                message.Overlay = new Protocol.V1.OverlayOptions
                {
                    XattrPrefix = overlay.XattrPrefix,
                    Userxattr = overlay.UserXattr,
                    RedirectDir = overlay.RedirectDir.ToString().ToLowerInvariant(),
                    ReadOnly = overlay.ReadOnly,
                };
            }

            var lowerIndex = 0u;
            foreach (var layer in mount.Layers)
            {
                message.Layers.Add(new Layer
                {
                    Id = (uint)layer.Id,
                    Role = (Protocol.V1.LayerRole)((int)layer.Role + 1),
                    Index = layer.Role == Spec.LayerRole.Lower ? lowerIndex++ : 0,
                    ReadOnly = layer.ReadOnly,
                });
            }

            response.Mounts.Add(message);
        }

        return response;
    }

    public AttachResponse Attach(CallHandles handles, AttachRequest request)
    {
        var layer = mounts.Layer(request.Layer);
        // No O_DIRECTORY: the root of a single-file bind is that file, and its handle is a file
        // handle (name operations on it answer ENOTDIR). The root was checked when it was opened.
        var fd = Reopen(layer.Root, Syscalls.O_PATH, "attach", null);
        var stat = StatOf(fd, "attach", null);
        return new AttachResponse { Handle = handles.Add(new Node(layer, fd, stat.Type)), Stat = stat.ToMessage() };
    }

    public StatResponse Stat(CallHandles handles, StatRequest request)
    {
        var node = handles.Get(request.Handle, "stat");
        return new StatResponse { Stat = StatOf(node.Fd, "stat", null).ToMessage() };
    }

    public WalkResponse Walk(CallHandles handles, WalkRequest request)
    {
        var start = handles.Get(request.Directory, "walk");
        if (request.Names.Count > MaxWalkNames)
        {
            throw new ErrnoException(Errno.E2BIG, "walk", $"{request.Names.Count} names");
        }

        // An unknown value is refused rather than read as "none": a client must never believe
        // it holds handles it was not given.
        if (request.Handles is not (WalkHandles.All or WalkHandles.Last or WalkHandles.None))
        {
            throw new ErrnoException(Errno.EINVAL, "walk", $"handles {(int)request.Handles}");
        }

        // Check every name before looking anything up, so a bad one fails the call whole.
        var names = request.Names.Select(n => ComponentName.Check(n, "walk")).ToArray();
        var xattrNames = request.Xattrs.Select(x => XattrPolicy.Check(x, start.Layer, "walk")).ToArray();
        var response = new WalkResponse { Status = WalkStatus.Complete };
        var current = start.Fd;
        var currentType = start.Type;
        var opened = new List<FileDescriptor>(names.Length);
        try
        {
            for (var i = 0; i < names.Length; i++)
            {
                if (currentType != FileStatus.Directory)
                {
                    // SYMLINK promises that the last entry is the symlink; a start handle that is
                    // not a directory (a symlink included) has no entry, so it stops with ENOTDIR.
                    var symlinkEntry = currentType == FileStatus.Symlink && response.Entries.Count > 0;
                    response.Status = symlinkEntry ? WalkStatus.Symlink : WalkStatus.Stopped;
                    response.Errno = symlinkEntry ? 0 : Errno.ENOTDIR;
                    break;
                }

                // O_NOFOLLOW with O_PATH yields a descriptor on a symlink itself: the walk
                // reports it and stops, the client decides what its target means.
                var fd = Syscalls.OpenAt(current, names[i], Syscalls.O_PATH | Syscalls.O_NOFOLLOW, 0, out var error);

                if (fd is null)
                {
                    // A walk that stops reports why, and a client reads ENOENT there as "no such
                    // name". A full descriptor table or memory shortage says nothing of the name,
                    // so it fails the whole call instead: it can never be taken for absence.
                    if (Errno.IsResourceFailure(error))
                    {
                        throw new ErrnoException(error, "walk", Printable(request.Names[i]));
                    }

                    response.Status = WalkStatus.Stopped;
                    response.Errno = error;
                    break;
                }

                // Only the descriptors handed out stay open: a long walk that keeps none but the
                // last holds two at a time, not one per component.
                if (request.Handles != WalkHandles.All && opened.Count > 0)
                {
                    opened[^1].Dispose();
                    opened[^1] = new FileDescriptor();
                }

                opened.Add(fd);
                var stat = StatOf(fd, "walk", request.Names[i]);
                var entry = new WalkEntry { Name = request.Names[i], Stat = stat.ToMessage() };
                if (stat.IsDirectory)
                {
                    ReadXattrs(fd, request.Xattrs, xattrNames, entry);
                }

                response.Entries.Add(entry);
                current = fd;
                currentType = stat.Type;
            }

            KeepHandles(handles, start.Layer, request.Handles, opened, response);
        }
        finally
        {
            opened.ForEach(fd => fd.Dispose());
        }

        return response;
    }

    private static void KeepHandles(CallHandles handles, ServedLayer layer, WalkHandles mode, List<FileDescriptor> opened, WalkResponse response)
    {
        for (var i = 0; i < opened.Count; i++)
        {
            if (mode == WalkHandles.All || (mode == WalkHandles.Last && i == opened.Count - 1))
            {
                // The handle table owns the descriptor from here on; the list must not close it.
                response.Entries[i].Handle = handles.Add(new Node(layer, opened[i], response.Entries[i].Stat.Mode & FileStatus.TypeMask));
                opened[i] = new FileDescriptor();
            }
        }
    }

    private static void ReadXattrs(FileDescriptor fd, Google.Protobuf.Collections.RepeatedField<string> names, byte[][] encoded, WalkEntry entry)
    {
        if (names.Count == 0)
        {
            return;
        }

        Span<byte> buffer = stackalloc byte[1024];
        for (var i = 0; i < names.Count; i++)
        {
            if (XattrValue(fd, encoded[i], buffer) is { } value)
            {
                entry.Xattrs.Add(new Xattr { Name = names[i], Value = value });
            }
        }
    }

    /// <summary>One xattr's value, or null when it is not set (or cannot be read).</summary>
    private static Google.Protobuf.ByteString? XattrValue(FileDescriptor fd, byte[] name, Span<byte> buffer)
    {
        var n = Xattrs.Get(fd, name, buffer);

        // Overlay markers are short, but a redirect holds a whole path: a value longer than the
        // first buffer is read again whole, never reported as absent.
        if (n == -Errno.ERANGE && buffer.Length < XattrPolicy.MaxValueSize)
        {
            return XattrValue(fd, name, new byte[XattrPolicy.MaxValueSize]);
        }

        return n >= 0 ? Google.Protobuf.ByteString.CopyFrom(buffer[..(int)n]) : null;
    }

    /// <summary>statx of a descriptor, never following a symlink.</summary>
    private static FileStatus StatOf(FileDescriptor fd, string operation, Google.Protobuf.ByteString? name)
    {
        ErrnoException.ThrowIfError(Syscalls.Stat(fd, out var status), operation, name is null ? null : ComponentName.Printable(name.Span));
        return status;
    }

    /// <summary>
    /// Opens the file a descriptor refers to afresh (<see cref="Syscalls.Reopen"/>): that very
    /// file, so no name is looked up again and nothing can be swapped in between.
    /// </summary>
    private static FileDescriptor Reopen(FileDescriptor fd, int flags, string operation, string? name) =>
        Syscalls.Reopen(fd, flags, out var error) ?? throw new ErrnoException(error, operation, name);

    /// <summary>EROFS for any modification of a read-only layer.</summary>
    private static void RequireWritable(ServedLayer layer, string operation, string? name)
    {
        if (layer.ReadOnly)
        {
            throw new ErrnoException(Errno.EROFS, operation, name);
        }
    }

    /// <summary>The directory node of a handle, ENOTDIR when it is not one.</summary>
    private static Node Directory(CallHandles handles, ulong handle, string operation)
    {
        var node = handles.Get(handle, operation);
        return node.IsDirectory ? node : throw new ErrnoException(Errno.ENOTDIR, operation, $"handle {handle}");
    }

    private static string Printable(Google.Protobuf.ByteString name) => ComponentName.Printable(name.Span);
}
