using Gofer.Native;

namespace Gofer.Server.Spec;

/// <summary>
/// Where an opened directory lies, told from its descriptor alone: the identities of its
/// ancestors, found by opening <c>..</c> from it again and again up to the root. One layer lies
/// inside another when the other's file is among its ancestors; comparing files rather than path
/// strings also sees through bind mounts (the same directory mounted twice is the same file), as
/// the kernel's overlayfs does when it refuses overlapping layers.
/// </summary>
/// <remarks>
/// <c>..</c> of a mount's root leads to the directory it is mounted on, so the walk follows this
/// namespace's mount tree; it ends where <c>..</c> is the directory itself (same file and same
/// mount: the root), since a directory bound onto its own child is one file at two mounts.
/// </remarks>
internal static class SourceAncestry
{
    // Far deeper than any real tree (PATH_MAX allows about 2,048 levels): a bound walk even if
    // directories are moved about while it runs.
    private const int MaxDepth = 4096;

    /// <summary>The ancestors of <paramref name="directory"/>, nearest first; null with the errno in <paramref name="error"/> on failure.</summary>
    public static List<FileIdentity>? Of(LayerSource directory, out int error)
    {
        var ancestors = new List<FileIdentity>();
        var current = directory.Identity;
        FileDescriptor? parent = null;
        try
        {
            for (var depth = 0; depth < MaxDepth; depth++)
            {
                var next = Syscalls.OpenAt(parent ?? directory.Descriptor, "..", Syscalls.O_PATH | Syscalls.O_DIRECTORY, 0, out error);
                parent?.Dispose();
                parent = next;
                if (parent is null)
                {
                    return null;
                }

                if ((error = -Syscalls.Identify(parent, out var identity)) > 0)
                {
                    return null;
                }

                if (identity == current)
                {
                    error = 0;
                    return ancestors;
                }

                ancestors.Add(identity);
                current = identity;
            }

            error = Errno.ELOOP;
            return null;
        }
        finally
        {
            parent?.Dispose();
        }
    }
}
