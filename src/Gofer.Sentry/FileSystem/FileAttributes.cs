namespace Gofer.Sentry.FileSystem;

/// <summary>What lstat/stat report of a file through a composed view.</summary>
/// <param name="Kind">The file type.</param>
/// <param name="Mode">Permission bits with setuid, setgid and sticky (<c>st_mode &amp; 07777</c>).</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="LinkCount">Number of hard links.</param>
/// <param name="Uid">Owner.</param>
/// <param name="Gid">Group.</param>
/// <param name="Device">st_dev as the view reports it.</param>
/// <param name="Inode">st_ino as the view reports it.</param>
/// <param name="RawDevice">st_rdev of a device file.</param>
/// <param name="AccessTimeNs">atime, nanoseconds since the epoch.</param>
/// <param name="ModifyTimeNs">mtime, nanoseconds since the epoch.</param>
public sealed record FileAttributes(
    FileKind Kind,
    uint Mode,
    long Size,
    uint LinkCount,
    uint Uid,
    uint Gid,
    ulong Device,
    ulong Inode,
    ulong RawDevice,
    long AccessTimeNs,
    long ModifyTimeNs);
