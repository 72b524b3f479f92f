namespace Gofer.Native;

/// <summary>
/// Which file a descriptor refers to, and through which mount: (<see cref="Device"/>,
/// <see cref="Inode"/>) names the file on its filesystem, <see cref="MountId"/> the mount it was
/// reached through (statx <c>STATX_MNT_ID</c>), so one directory bound in two places has one
/// file identity and two mount ids.
/// </summary>
public readonly record struct FileIdentity(ulong Device, ulong Inode, ulong MountId)
{
    /// <summary>The same file, whatever mount each was reached through.</summary>
    public bool IsSameFile(FileIdentity other) => Device == other.Device && Inode == other.Inode;
}
