using System.Runtime.InteropServices;
using Gofer.Native;

namespace Gofer.Server.Spec;

/// <summary>
/// Opens each layer's source exactly once, one component at a time from a descriptor of
/// <c>/</c>, each with O_PATH | O_NOFOLLOW relative to the directory the previous one opened:
/// what the walk ends on is the source, every check is made on it, and staging mounts it.
/// </summary>
/// <remarks>
/// <para>
/// Symlinks. Specs legitimately hold them (<c>/var/run</c> → <c>/run</c>, podman's
/// <c>overlay/l/ID</c> links, a bind of <c>/etc/resolv.conf</c>), so a symlink is followed —
/// but only one nobody but root or the gofer's own user could have put there: every directory
/// from <c>/</c> to it is owned by one of them and writable by no group or other user (or,
/// sticky like <c>/tmp</c>, holds the next name as one of theirs, which others cannot rename);
/// see <see cref="TrustedOwners"/> for a gofer in a user namespace.
/// A symlink anywhere else is refused, whenever it was made. That is what closes the staging
/// race: resolving a path and then opening it again would follow a layer swapped for a symlink
/// (renameat2 RENAME_EXCHANGE in a loop) whenever the resolution ran while the link was in
/// place, however carefully the second open avoided symlinks. Whoever can write a layer's
/// parent directory can make that layer any directory of their own, but can no longer make the
/// gofer serve one they cannot reach.
/// </para>
/// <para>
/// <c>..</c> in a symlink's target returns to the directory the walk came from, which is the
/// physical parent, as realpath(3) resolves it.
/// </para>
/// </remarks>
internal sealed class SourceOpener : IDisposable
{
    // As the kernel: MAXSYMLINKS.
    private const int MaxSymlinks = 40;
    private const uint GroupOrOtherWrite = 0x12; // 0022
    private const uint Sticky = 0x200; // 01000

    private readonly FileDescriptor root;
    private readonly HashSet<uint> trustedOwners = TrustedOwners();

    public SourceOpener() =>
        root = Syscalls.OpenProcessRoot(out var error) ?? throw new ErrnoException(error, "open the root directory", "/");

    /// <summary>Opens <paramref name="layer"/>'s source; null with <paramref name="problem"/> set when it cannot be.</summary>
    public LayerSource? Open(LayerPlan layer, out string? problem)
    {
        // The directories walked through, "/" first (root is borrowed, never closed here).
        var walked = new List<Step> { new(root, "/", Syscalls.Stat(root, out var rootStatus) >= 0 ? rootStatus : default, Trusted: true) };
        var pending = new LinkedList<string>(layer.SourcePath.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var followed = 0;
        try
        {
            while (pending.First is { } first)
            {
                var name = first.Value;
                pending.RemoveFirst();
                if (name == ".")
                {
                    continue;
                }

                if (name == "..")
                {
                    // ".." of "/" is "/" itself, as in path resolution.
                    if (walked.Count > 1)
                    {
                        walked[^1].Descriptor.Dispose();
                        walked.RemoveAt(walked.Count - 1);
                    }

                    continue;
                }

                var parent = walked[^1];
                var path = parent.Path == "/" ? "/" + name : $"{parent.Path}/{name}";
                var fd = Syscalls.OpenAt(parent.Descriptor, name, Syscalls.O_PATH | Syscalls.O_NOFOLLOW, 0, out var error);
                if (fd is null)
                {
                    problem = Describe(error);
                    return null;
                }

                if (Syscalls.Stat(fd, out var status) is var unstated and < 0)
                {
                    fd.Dispose();
                    problem = Describe(-unstated);
                    return null;
                }

                var step = new Step(fd, path, status, Trusted: !IsReplaceable(parent, status));
                if (!status.IsSymlink)
                {
                    walked.Add(step);
                    continue;
                }

                using (fd)
                {
                    if (!step.Trusted)
                    {
                        problem = $"leads through the symlink \"{path}\", which users other than root could replace: name what it leads to instead";
                        return null;
                    }

                    if (++followed > MaxSymlinks || Syscalls.ReadLink(fd, out error) is not { } target)
                    {
                        problem = Describe(followed > MaxSymlinks ? Errno.ELOOP : error);
                        return null;
                    }

                    if (target.StartsWith('/'))
                    {
                        walked.Skip(1).ToList().ForEach(s => s.Descriptor.Dispose());
                        walked.RemoveRange(1, walked.Count - 1);
                    }

                    foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
                    {
                        pending.AddFirst(part);
                    }
                }
            }

            var end = walked[^1];
            if (walked.Count == 1)
            {
                // The source is "/" itself: a descriptor of its own, so that disposing it leaves root open.
                var own = Syscalls.OpenAt(root, ".", Syscalls.O_PATH, 0, out var error);
                if (own is null)
                {
                    problem = Describe(error);
                    return null;
                }

                end = end with { Descriptor = own };
                walked.Add(end);
            }

            if (Syscalls.Identify(end.Descriptor, out var identity) is var unidentified and < 0)
            {
                problem = $"cannot stat what was opened: {Errno.Describe(-unidentified)}";
                return null;
            }

            // The source is kept; the directories above it are closed below.
            walked.RemoveAt(walked.Count - 1);
            problem = null;
            return new LayerSource(layer, end.Path, end.Descriptor, end.Status, identity);
        }
        finally
        {
            walked.Skip(1).ToList().ForEach(s => s.Descriptor.Dispose());
        }
    }

    public void Dispose() => root.Dispose();

    private static string Describe(int errno) => errno == Errno.ENOENT ? "does not exist" : Marshal.GetPInvokeErrorMessage(errno);

    /// <summary>
    /// Whether someone other than root or this user could make the name of <paramref name="entry"/>
    /// in <paramref name="parent"/> lead elsewhere: rename it away or put another file in its place.
    /// </summary>
    private bool IsReplaceable(Step parent, FileStatus entry)
    {
        if (!parent.Trusted)
        {
            // Whoever can replace the directory itself can replace everything below it.
            return true;
        }

        var ownParent = IsOurs(parent.Status.Uid);
        if (ownParent && (parent.Status.Mode & GroupOrOtherWrite) == 0)
        {
            return false;
        }

        // In a sticky directory owned by root or us, only an entry's owner (or the directory's)
        // may rename or remove it.
        return !(ownParent && (parent.Status.Mode & Sticky) != 0 && IsOurs(entry.Uid));
    }

    private bool IsOurs(uint uid) => trustedOwners.Contains(uid);

    /// <summary>
    /// Root and the gofer's own user; in a user namespace (a rootless gofer) also the overflow
    /// uid that every owner outside the namespace shows as, host root among them.
    /// </summary>
    /// <remarks>
    /// Trusting the overflow uid loses nothing: a gofer in a user namespace has no more power over
    /// the host than the user who made the namespace, so a symlink it follows can lead it nowhere
    /// that user could not go anyway. Refusing it would refuse every symlink in a rootless
    /// gofer's paths, since <c>/</c> itself is owned by an unmapped root there. In the initial
    /// namespace that uid is a real user (nobody) and is not trusted.
    /// </remarks>
    private static HashSet<uint> TrustedOwners()
    {
        var owners = new HashSet<uint> { 0, Syscalls.EffectiveUserId() };
        if (InUserNamespace() && uint.TryParse(ReadOrEmpty("/proc/sys/kernel/overflowuid").Trim(), out var overflow))
        {
            owners.Add(overflow);
        }

        return owners;
    }

    /// <summary>Whether this process's uids are mapped from another namespace: anything but the initial identity map.</summary>
    private static bool InUserNamespace() =>
        ReadOrEmpty("/proc/self/uid_map").Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries) is not ["0", "0", "4294967295"];

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>One component the walk opened: its descriptor, its path so far, and whether others could have replaced it.</summary>
    private readonly record struct Step(FileDescriptor Descriptor, string Path, FileStatus Status, bool Trusted);
}
