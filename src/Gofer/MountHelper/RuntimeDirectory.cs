using System.Globalization;
using Gofer.Native;

namespace Gofer.MountHelper;

/// <summary>
/// Where `gofer mount` keeps its one-mount bundles: $XDG_RUNTIME_DIR when set and usable, else
/// /run when writable, else a private directory of the user's own under the temporary directory.
/// </summary>
/// <remarks>
/// The bundle's config.json tells a gofer (running as this user, usually root) which host
/// directories to serve, to a mount every user may enter. Whoever can rename entries in the
/// directory holding it could swap in a spec of their own, so that directory must be writable by
/// nobody but this user (or root): owned by us or root and not writable by group or others.
/// </remarks>
public static class RuntimeDirectory
{
    private const uint GroupOrOthersWrite = 0x12; // 0022
    private const uint GroupOrOthersAny = 0x3F; // 0077
    private const uint OwnerOnly = 0x1C0; // 0700

    /// <summary>The directory to use, or null and every candidate with why it was refused (one line).</summary>
    public static (string? Path, string Refusals) Choose()
    {
        var refusals = new List<string>();
        var xdg = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        if (string.IsNullOrEmpty(xdg))
        {
            refusals.Add("XDG_RUNTIME_DIR is not set");
        }
        else if (!Path.IsPathFullyQualified(xdg))
        {
            refusals.Add($"XDG_RUNTIME_DIR \"{xdg}\" is not absolute");
        }
        else if (Refusal(xdg) is { } why)
        {
            refusals.Add($"XDG_RUNTIME_DIR \"{xdg}\": {why}");
        }
        else
        {
            return (xdg, "");
        }

        if (Refusal("/run") is { } run)
        {
            refusals.Add($"\"/run\": {run}");
        }
        else
        {
            return ("/run", "");
        }

        var own = Path.Combine(Path.GetTempPath(), "gofer-" + Syscalls.EffectiveUserId().ToString(CultureInfo.InvariantCulture));
        if (PrivateRefusal(own) is { } mine)
        {
            refusals.Add($"\"{own}\": {mine}");
            return (null, string.Join("; ", refusals));
        }

        return (own, "");
    }

    /// <summary>Why a shared candidate (XDG_RUNTIME_DIR, /run) cannot hold bundles, or null if it can.</summary>
    private static string? Refusal(string path)
    {
        var result = Syscalls.StatPath(path, followSymlink: true, out var status);
        if (result < 0)
        {
            return Errno.Describe(-result);
        }

        if (!status.IsDirectory)
        {
            return Errno.Describe(Errno.ENOTDIR);
        }

        if ((status.Uid != Syscalls.EffectiveUserId() && status.Uid != 0) || (status.Mode & GroupOrOthersWrite) != 0)
        {
            return $"others may change it (owner uid {status.Uid}, mode {Convert.ToString(status.Mode & 0xFFF, 8)})";
        }

        var access = Syscalls.Access(path, Syscalls.W_OK | Syscalls.X_OK);
        return access < 0 ? $"not writable: {Errno.Describe(-access)}" : null;
    }

    /// <summary>Makes (if missing) and checks the user's own directory: ours, 0700-tight, a real directory.</summary>
    private static string? PrivateRefusal(string path)
    {
        var made = Syscalls.Mkdir(path, OwnerOnly);
        if (made < 0 && made != -Errno.EEXIST)
        {
            return $"mkdir: {Errno.Describe(-made)}";
        }

        // lstat: a symlink planted in a shared /tmp by someone else is refused, not followed.
        var result = Syscalls.StatPath(path, followSymlink: false, out var status);
        if (result < 0)
        {
            return Errno.Describe(-result);
        }

        return status.IsSymlink ? "a symlink, not our directory"
            : !status.IsDirectory ? Errno.Describe(Errno.ENOTDIR)
            : status.Uid != Syscalls.EffectiveUserId() ? $"owned by uid {status.Uid}, not by us"
            : (status.Mode & GroupOrOthersAny) != 0 ? $"open to others (mode {Convert.ToString(status.Mode & 0xFFF, 8)})"
            : null;
    }
}
