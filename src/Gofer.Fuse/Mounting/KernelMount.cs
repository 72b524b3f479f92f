using System.Globalization;
using Gofer.Native;

namespace Gofer.Fuse.Mounting;

/// <summary>mount(2) of a FUSE filesystem, its lazy unmount and the abort of its connection.</summary>
internal static class KernelMount
{
    private const ulong MS_NOATIME = 1024;

    /// <summary>
    /// The option string of the mount: the device descriptor, the root's type, who mounted it
    /// (root) and the two security choices below.
    /// </summary>
    public static string Options(int deviceFd, FuseMountOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // default_permissions: the kernel checks every access against the mode, owner and group we
        // report, as on any disk filesystem. Without it the kernel checks nothing and this server
        // would have to, per request, with the caller's uid/gid and supplementary groups.
        var data = $"fd={deviceFd.ToString(CultureInfo.InvariantCulture)},rootmode=40000,user_id=0,group_id=0,default_permissions";

        // allow_other: without it only the mounting user (root) may enter the mount; the overlay
        // is a container's filesystem, used by whoever runs in it, and default_permissions keeps
        // those users to what the modes allow.
        return options.AllowOther ? data + ",allow_other" : data;
    }

    /// <summary>MS_* flags. nosuid and nodev are the defaults: files served from userspace should not grant privileges or reach devices.</summary>
    public static ulong Flags(FuseMountOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var flags = 0ul;
        flags |= options.ReadOnly ? Syscalls.MS_RDONLY : 0;
        flags |= options.NoSuid ? Syscalls.MS_NOSUID : 0;
        flags |= options.NoDev ? Syscalls.MS_NODEV : 0;
        flags |= options.NoExec ? Syscalls.MS_NOEXEC : 0;
        flags |= options.NoAtime ? MS_NOATIME : 0;
        return flags;
    }

    public static void Mount(string mountPoint, int deviceFd, FuseMountOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = Syscalls.Mount(options.Source, mountPoint, "fuse." + options.Subtype, Flags(options), Options(deviceFd, options));
        if (result < 0)
        {
            throw -result == Errno.EPERM
                ? new ErrnoException(Errno.EPERM, "mount fuse (needs root: CAP_SYS_ADMIN in the initial user namespace)", mountPoint)
                : new ErrnoException(-result, $"mount fuse.{options.Subtype}", mountPoint);
        }
    }

    /// <summary>umount2(MNT_DETACH): gone from the namespace now, released once no one uses it. False if it was not mounted (any more).</summary>
    public static bool Detach(string mountPoint)
    {
        var result = Syscalls.Umount2(mountPoint, Syscalls.MNT_DETACH);
        return result >= 0 || (-result is not (Errno.EINVAL or Errno.ENOENT) ? throw new ErrnoException(-result, "umount2", mountPoint) : false);
    }

    /// <summary>
    /// The connection's number in /sys/fs/fuse/connections: the minor of the mount's device (FUSE
    /// mounts are anonymous devices of major 0), read from /proc/self/mountinfo. Not stat(2) of
    /// the mount point: that would ask the server for the root's attributes, and nobody serves the
    /// connection yet. Null when the mount is not listed.
    /// </summary>
    public static uint? ConnectionOf(string mountPoint, string fsType)
    {
        uint? found = null;
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            // "36 35 0:52 / /mnt/point rw,nosuid - fuse.gofer source rw,..."
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (fields.Length < 5 || separator < 0 || separator + 1 >= fields.Length
                || fields[separator + 1] != fsType || Unescape(fields[4]) != mountPoint)
            {
                continue;
            }

            // The last match is the one on top (the one just made).
            found = uint.Parse(fields[2].AsSpan(fields[2].IndexOf(':') + 1), CultureInfo.InvariantCulture);
        }

        return found;
    }

    /// <summary>Whether anything is mounted at <paramref name="mountPoint"/> in this namespace.</summary>
    public static bool IsMounted(string mountPoint) =>
        File.ReadLines("/proc/self/mountinfo").Any(line => line.Split(' ') is { Length: > 4 } f && Unescape(f[4]) == mountPoint);

    /// <summary>mountinfo writes space, tab, newline and backslash in a path as octal escapes.</summary>
    private static string Unescape(string field) =>
        field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal)
            .Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);

    /// <summary>
    /// Aborts the connection through fusectl: every waiting and future request fails and the
    /// server's read ends with ENODEV. False when fusectl is not mounted or the connection is gone.
    /// </summary>
    public static bool Abort(uint connection)
    {
        try
        {
            File.WriteAllText($"/sys/fs/fuse/connections/{connection.ToString(CultureInfo.InvariantCulture)}/abort", "1");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
