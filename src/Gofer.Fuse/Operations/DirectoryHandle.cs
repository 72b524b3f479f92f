using Gofer.Fuse.Nodes;
using Gofer.Sentry.FileSystem;

namespace Gofer.Fuse.Operations;

/// <summary>
/// An open directory: the merged listing as it was at the first READDIR, served by offset (entry
/// i has offset i + 1, "." and ".." first), so a listing is stable however the reads are split.
/// It is not made at OPENDIR: when the kernel serves the listing from its own cache, no READDIR
/// comes, and the sentry need not list at all.
/// </summary>
internal sealed class DirectoryHandle(FuseNode node, Func<IReadOnlyList<DirectoryEntry>> list)
{
    private IReadOnlyList<DirectoryEntry>? entries;

    public FuseNode Node { get; } = node;

    public IReadOnlyList<DirectoryEntry> Entries => entries ??= list();

    /// <summary>The d_ino of entries already served, so reading again (rewinddir) costs nothing.</summary>
    public Dictionary<string, ulong> Inodes { get; } = new(StringComparer.Ordinal);
}
