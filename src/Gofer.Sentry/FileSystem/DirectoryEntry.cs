namespace Gofer.Sentry.FileSystem;

/// <summary>One name in a directory listing (never <c>.</c> or <c>..</c>).</summary>
public sealed record DirectoryEntry(string Name, FileKind Kind);
