using Gofer.Native;

namespace Gofer.Server.Spec;

/// <summary>
/// Checks that an overlay's upper filesystem can hold what the sentry will write there: the
/// overlay's xattrs (under the mount's prefix), whiteouts (character devices 0/0) and unnamed
/// files (O_TMPFILE, for atomic copy-up). tmpfs, for
/// one, refuses <c>user.*</c> xattrs, which a <c>userxattr</c> overlay needs. The probe works in
/// the workdir, the overlay's scratch space (same filesystem as the upper, checked before), and
/// removes what it made, so the merged view never shows it.
/// </summary>
public sealed unsafe class UpperFilesystemProbe : IUpperProbe
{
    public IEnumerable<SpecProblem> Probe(PlannedMount mount)
    {
        var overlay = mount.Overlay;
        if (overlay?.UpperDir is not { } upper || overlay.WorkDir is not { } work)
        {
            return [];
        }

        var problems = new List<SpecProblem>();
        var name = $".gofer-probe-{Environment.ProcessId}-{Guid.NewGuid():N}";
        fixed (byte* dir = Syscalls.Encode(work))
        fixed (byte* file = Syscalls.Encode(name))
        fixed (byte* whiteout = Syscalls.Encode(name + "-wh"))
        {
            using var workFd = Syscalls.OpenAt(Syscalls.AT_FDCWD, dir, Syscalls.O_PATH | Syscalls.O_DIRECTORY, 0, out var error);
            if (workFd is null)
            {
                return [new SpecProblem(mount.Destination, "workdir", work, $"cannot open: {Errno.Describe(error)}")];
            }

            var created = Syscalls.OpenAt(workFd.Fd, file, Syscalls.O_CREAT | Syscalls.O_EXCL | Syscalls.O_WRONLY, 0x180, out error);
            if (created is null)
            {
                return [new SpecProblem(mount.Destination, "workdir", work, $"cannot create a file: {Errno.Describe(error)}")];
            }

            created.Dispose();
            fixed (byte* path = Syscalls.Encode($"{work}/{name}"))
            fixed (byte* xattr = Syscalls.Encode(overlay.XattrPrefix + "gofer-probe"))
            {
                byte y = (byte)'y';
                var r = Syscalls.SetXattr(path, xattr, &y, 1, 0);
                if (r < 0)
                {
                    problems.Add(new SpecProblem(mount.Destination, "upperdir", upper, $"filesystem cannot hold {overlay.XattrPrefix}* xattrs: {Errno.Describe(-r)}"));
                }
            }

            Syscalls.UnlinkAt(workFd.Fd, file, 0);
            // Copy-up builds files unnamed (O_TMPFILE) so that no partial copy is ever visible.
            fixed (byte* here = "."u8)
            {
                using var unnamed = Syscalls.OpenAt(workFd.Fd, here, Syscalls.O_TMPFILE | Syscalls.O_WRONLY, 0x180, out error);
                if (unnamed is null)
                {
                    problems.Add(new SpecProblem(mount.Destination, "upperdir", upper, $"filesystem cannot make unnamed files (O_TMPFILE), which atomic copy-up needs: {Errno.Describe(error)}"));
                }
            }

            var made = Syscalls.MknodAt(workFd.Fd, whiteout, FileStatus.CharDevice, 0);
            if (made < 0)
            {
                problems.Add(new SpecProblem(mount.Destination, "upperdir", upper, $"filesystem cannot hold whiteouts (character device 0/0): {Errno.Describe(-made)}"));
            }
            else
            {
                Syscalls.UnlinkAt(workFd.Fd, whiteout, 0);
            }
        }

        return problems;
    }
}
