using Gofer.Native;

namespace Gofer.Server.Confinement;

/// <summary>
/// Sets the calling thread up so that the next image it execs (or a child it spawns execs)
/// starts with exactly a given capability set, in every thread, with no way back.
/// </summary>
/// <remarks>
/// Why before an exec and not in place: capabilities, securebits and no_new_privs are per thread,
/// and a .NET process has runtime threads before Main (four in the gofer before it stages); a
/// drop made by one thread leaves the others with everything. A new image starts with a single
/// thread whose credentials this thread chose, and every thread it makes inherits them.
/// The order matters: securebits and the bounding set need CAP_SETPCAP, raising an ambient
/// capability needs it permitted and inheritable, and no_new_privs comes last.
/// </remarks>
public static class ExecPrivileges
{
    /// <summary>Capabilities past the kernel's last answer EINVAL; capability masks have 64 bits.</summary>
    private const int MaxCapability = 63;

    /// <summary>
    /// Confines the calling thread to <paramref name="wanted"/>, or to those of them it holds: a
    /// runtime that started the gofer with fewer (a bounding set without CAP_DAC_OVERRIDE, say)
    /// gets a gofer that serves with what it was given, never one that fails to start.
    /// </summary>
    public static void Confine(IReadOnlyCollection<CapabilityGrant> wanted)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        Check(Syscalls.GetCapabilities(out _, out var held, out _), "capget");
        var keep = wanted.Where(g => (held & (1UL << (int)g.Capability)) != 0 && Syscalls.InBoundingSet((int)g.Capability)).ToList();
        var mask = CapabilityGrant.MaskOf(keep);

        // uid 0 is no longer special at exec (NOROOT: without it root's exec would refill the
        // permitted set from the bounding set), changes of uid adjust no capability, and the
        // thread cannot undo either: locked.
        const Securebits rootless = Securebits.NoRoot | Securebits.NoRootLocked | Securebits.NoSetuidFixup | Securebits.NoSetuidFixupLocked | Securebits.KeepCapsLocked;
        Check(Syscalls.SetSecurebits((int)rootless), "PR_SET_SECUREBITS");

        // The bounding set: what no exec can ever grant again.
        for (var capability = 0; capability <= MaxCapability; capability++)
        {
            if ((mask & (1UL << capability)) != 0)
            {
                continue;
            }

            var dropped = Syscalls.DropFromBoundingSet(capability);
            if (dropped == -Errno.EINVAL)
            {
                break;
            }

            Check(dropped, $"PR_CAPBSET_DROP {capability}");
        }

        // The ambient set is how capabilities cross an exec of a file that has none for a uid
        // that gets none (NOROOT): it must be inheritable and permitted to be raised.
        Check(Syscalls.GetCapabilities(out var effective, out var permitted, out _), "capget");
        Check(Syscalls.SetCapabilities(effective, permitted, mask), "capset (inheritable)");
        Check(Syscalls.ClearAmbientCapabilities(), "PR_CAP_AMBIENT_CLEAR_ALL");
        foreach (var grant in keep)
        {
            Check(Syscalls.RaiseAmbientCapability((int)grant.Capability), $"PR_CAP_AMBIENT_RAISE {grant.Name}");
        }

        // And nothing may be added to it again, by this thread or the image after it.
        Check(Syscalls.SetSecurebits((int)(rootless | Securebits.NoCapAmbientRaise | Securebits.NoCapAmbientRaiseLocked)), "PR_SET_SECUREBITS");

        // This thread itself keeps no more than the image will: nothing it does until the exec
        // needs more.
        Check(Syscalls.SetCapabilities(mask, mask, mask), "capset");
        Check(Syscalls.SetNoNewPrivileges(), "PR_SET_NO_NEW_PRIVS");
    }

    private static void Check(int result, string operation) => ErrnoException.ThrowIfError(result, "confine capabilities", operation);
}
