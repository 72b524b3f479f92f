using Gofer.Native;

namespace Gofer.Server.Spec;

/// <summary>
/// Checks that an overlay's upper filesystem can hold what the sentry will write there: the
/// overlay's xattrs (under the mount's prefix), whiteouts (character devices 0/0), unnamed files
/// (O_TMPFILE, for atomic copy-up) and renames that never replace (RENAME_NOREPLACE, copy-up's
/// last step). tmpfs, for one, refuses <c>user.*</c> xattrs, which a <c>userxattr</c> overlay
/// needs. The probe works in the workdir, the overlay's scratch space (same filesystem as the
/// upper, checked before), only through the workdir's opened descriptor — the directory staging
/// will mount, never a path that could meanwhile lead elsewhere — and removes what it made, so
/// the merged view never shows it.
/// </summary>
public sealed class UpperFilesystemProbe : IUpperProbe
{
    private const uint ProbeMode = 0x180; // 0600

    public IEnumerable<SpecProblem> Probe(PlannedMount mount, LayerSource upper, LayerSource work)
    {
        ArgumentNullException.ThrowIfNull(mount);
        ArgumentNullException.ThrowIfNull(upper);
        ArgumentNullException.ThrowIfNull(work);
        if (mount.Overlay is not { } overlay)
        {
            return [];
        }

        var problems = new List<SpecProblem>();
        void Upper(string message) => problems.Add(new SpecProblem(mount.Destination, "upperdir", upper.Layer.SourcePath, message));

        var dir = work.Descriptor;
        var name = $".gofer-probe-{Environment.ProcessId}-{Guid.NewGuid():N}";
        var renamed = name + "-renamed";
        using (var created = Syscalls.OpenAt(dir, name, Syscalls.O_CREAT | Syscalls.O_EXCL | Syscalls.O_WRONLY, ProbeMode, out var error))
        {
            if (created is null)
            {
                return [new SpecProblem(mount.Destination, "workdir", work.Layer.SourcePath, $"cannot create a file: {Errno.Describe(error)}")];
            }

            var set = Syscalls.SetXattr(created, overlay.XattrPrefix + "gofer-probe", "y"u8, 0);
            if (set < 0)
            {
                Upper($"filesystem cannot hold {overlay.XattrPrefix}* xattrs: {Errno.Describe(-set)}");
            }
        }

        var moved = Syscalls.RenameAt2(dir, name, renamed, Syscalls.RENAME_NOREPLACE);
        if (moved < 0)
        {
            Upper($"filesystem cannot rename without replacing (RENAME_NOREPLACE), which copy-up needs: {Errno.Describe(-moved)}");
        }

        Syscalls.UnlinkAt(dir, moved < 0 ? name : renamed, 0);

        // Copy-up builds files unnamed (O_TMPFILE) so that no partial copy is ever visible.
        using (var unnamed = Syscalls.OpenAt(dir, ".", Syscalls.O_TMPFILE | Syscalls.O_WRONLY, ProbeMode, out var error))
        {
            if (unnamed is null)
            {
                Upper($"filesystem cannot make unnamed files (O_TMPFILE), which atomic copy-up needs: {Errno.Describe(error)}");
            }
        }

        var whiteout = name + "-wh";
        var made = Syscalls.MknodAt(dir, whiteout, FileStatus.CharDevice, 0);
        if (made < 0)
        {
            Upper($"filesystem cannot hold whiteouts (character device 0/0): {Errno.Describe(-made)}");
        }
        else
        {
            Syscalls.UnlinkAt(dir, whiteout, 0);
        }

        return problems;
    }
}
