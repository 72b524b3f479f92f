using Gofer.Fuse.Nodes;
using Gofer.Sentry.FileSystem;

namespace Gofer.Fuse.Operations;

/// <summary>
/// An open directory: the merged listing as it was at OPENDIR, served by offset (entry i has
/// offset i + 1, "." and ".." first), so a listing is stable however the reads are split.
/// </summary>
internal sealed class DirectoryHandle(FuseNode node, IReadOnlyList<DirectoryEntry> entries)
{
    public FuseNode Node { get; } = node;

    public IReadOnlyList<DirectoryEntry> Entries { get; } = entries;

    /// <summary>The d_ino of entries already served, so reading again (rewinddir) costs nothing.</summary>
    public Dictionary<string, ulong> Inodes { get; } = new(StringComparer.Ordinal);
}
