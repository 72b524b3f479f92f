namespace Gofer.Sentry.FileSystem;

/// <summary>One name in a directory listing (never <c>.</c> or <c>..</c>).</summary>
public sealed record DirectoryEntry(string Name, FileKind Kind)
{
    /// <summary>The st_dev lstat of the name would show, where the view knows it from the listing alone; else 0.</summary>
    public ulong Device { get; init; }

    /// <summary>
    /// The st_ino lstat of the name would show (d_ino), where the view knows it from the listing
    /// alone; else 0. Exact for files; for a directory a hint (an opaque or renamed directory in
    /// the upper layer may show another number), as overlayfs's own d_ino is.
    /// </summary>
    public ulong Inode { get; init; }
}
