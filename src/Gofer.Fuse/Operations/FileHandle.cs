using Gofer.Fuse.Nodes;
using Gofer.Sentry.Composition;

namespace Gofer.Fuse.Operations;

/// <summary>A file the kernel opened: its node, the sentry's open file and whether that file is the upper one.</summary>
internal sealed class FileHandle(FuseNode node, OpenFile file, bool onUpper)
{
    public FuseNode Node { get; } = node;

    public OpenFile File { get; set; } = file;

    /// <summary>
    /// The open file is in the upper layer. A read-only open of a lower file is not: once another
    /// open copies the file up, reads must follow it there (as overlayfs reopens its real file).
    /// </summary>
    public bool OnUpper { get; set; } = onUpper;
}
