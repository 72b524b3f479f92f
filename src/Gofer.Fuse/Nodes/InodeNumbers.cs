namespace Gofer.Fuse.Nodes;

/// <summary>
/// st_ino for the mount. The sentry reports each file's own layer's (st_dev, st_ino), and layers
/// may be on different filesystems whose inode numbers collide; the mount has one st_dev (the
/// kernel's, for the FUSE connection), so the device must be folded into the number: each
/// distinct device gets a small index k (first seen = 0) and a number below 2^48 becomes
/// <c>ino | k &lt;&lt; 48</c>. Larger numbers (rare: btrfs, xfs with inode64 stay far below) get
/// one allocated from the top half, which folded numbers never reach.
/// </summary>
internal sealed class InodeNumbers
{
    private const int Shift = 48;
    private const ulong Allocated = 1ul << 63;
    private readonly Dictionary<ulong, ulong> deviceIndex = [];
    private readonly Dictionary<(ulong Device, ulong Inode), ulong> allocated = [];

    public ulong Of(ulong device, ulong inode)
    {
        if (!deviceIndex.TryGetValue(device, out var k))
        {
            k = (ulong)deviceIndex.Count;
            deviceIndex[device] = k;
        }

        if (inode < 1ul << Shift && k < 1ul << (63 - Shift))
        {
            return inode | (k << Shift);
        }

        if (!allocated.TryGetValue((device, inode), out var number))
        {
            number = Allocated | (uint)(allocated.Count + 1);
            allocated[(device, inode)] = number;
        }

        return number;
    }
}
