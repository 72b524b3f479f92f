namespace Gofer.Sentry.Composition;

/// <summary>
/// One name of a merged listing: its type (S_IF* bits) and the (st_dev, st_ino) its lstat shows.
/// <paramref name="Settled"/> is false while a directory found in the upper may still take the
/// inode number of a lower directory of the same name listed further down.
/// </summary>
internal readonly record struct ListedName(uint Type, ulong Device, ulong Inode, bool Settled);
