namespace Gofer.Sentry.Tests.Crash;

/// <summary>
/// One large file of the lower layer, with what it looks like for each content a script may give
/// it: the hashes are computed while the file is written, so no round reads the lower to know them.
/// </summary>
/// <param name="Path">Its path in the view.</param>
/// <param name="Origin">The value of its user.origin xattr, which every copy-up must carry.</param>
public sealed record LargeFile(
    string Path,
    int Mode,
    int Uid,
    int Gid,
    string Origin,
    long Size,
    string OriginalSha256,
    byte[] Suffix,
    string AppendedSha256,
    long TruncatedSize,
    string TruncatedSha256)
{
    /// <summary>The xattr every copy of this file carries.</summary>
    public const string OriginXattr = "user.origin";

    /// <summary>How `tree` must describe the file in <paramref name="state"/>.</summary>
    public TreeNode Node(FileState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var (size, sha256) = state.Content switch
        {
            FileContent.Appended => (Size + Suffix.Length, AppendedSha256),
            FileContent.Truncated => (TruncatedSize, TruncatedSha256),
            _ => (Size, OriginalSha256),
        };
        return TreeNode.File(state.Mode, Uid, Gid, TreeNode.Xattr(OriginXattr, Origin), size, sha256);
    }
}
