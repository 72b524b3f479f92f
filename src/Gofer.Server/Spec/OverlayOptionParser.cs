using System.Collections.Frozen;

namespace Gofer.Server.Spec;

/// <summary>
/// Parses an overlay mount's options as the Linux kernel's overlayfs parses its option string
/// (fs/overlayfs/params.c), and refuses what the gofer's overlay does not implement.
/// </summary>
/// <remarks>
/// <para>
/// Each element of the spec's <c>options</c> may itself be a comma-joined option string, as given
/// to <c>mount -o</c>; see <see cref="OptionEscapes"/> for the escapes inside it.
/// </para>
/// <para>
/// Repeated settings follow the kernel: the last <c>ro</c>/<c>rw</c> and the last
/// <c>redirect_dir=</c> win. Two exceptions, both stricter than the kernel: a path option
/// (<c>lowerdir</c>, <c>upperdir</c>, <c>workdir</c>) given twice is refused, because a runtime
/// that writes two upper directories is confused and guessing which one it meant could serve the
/// wrong data; and a refused value is refused wherever it appears, even if a later option would
/// switch it back off, so that the spec never silently depends on option order for a feature the
/// gofer lacks.
/// </para>
/// </remarks>
public static class OverlayOptionParser
{
    /// <summary>The kernel's limit on lower layers: <c>OVL_MAX_STACK</c> in fs/overlayfs/params.h.</summary>
    public const int MaxLowerDirs = 500;

    private static readonly FrozenDictionary<string, RedirectDir> RedirectValues =
        new Dictionary<string, RedirectDir>(StringComparer.Ordinal)
        {
            ["off"] = RedirectDir.Off,
            ["on"] = RedirectDir.On,
            ["follow"] = RedirectDir.Follow,
            ["nofollow"] = RedirectDir.NoFollow,
        }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The kernel's name of a <c>redirect_dir=</c> value.</summary>
    internal static string RedirectDirName(RedirectDir mode) => RedirectValues.First(p => p.Value == mode).Key;

    /// <summary>Parses the options of one overlay mount.</summary>
    /// <param name="options">The mount's <c>options</c> from the spec.</param>
    /// <param name="bundleDirectory">Absolute bundle path: relative layer paths are resolved against it.</param>
    /// <param name="destination">The mount's destination, to name it in problems.</param>
    /// <param name="problems">Receives every problem found; nothing is thrown for bad input.</param>
    /// <returns>The parsed options, or null when at least one problem was found.</returns>
    public static OverlayOptions? Parse(
        IEnumerable<string> options,
        string bundleDirectory,
        string destination,
        ICollection<SpecProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(problems);
        var problemsBefore = problems.Count;

        void Refuse(string option, string? path, string message) =>
            problems.Add(new SpecProblem(destination, option, path, message));

        // Path values are kept as written until every option is seen, so that a duplicate is
        // caught even when the first occurrence was itself invalid.
        string? lowerValue = null, upperValue = null, workValue = null;
        string? TakePath(string key, string? current, string? value)
        {
            if (current is not null)
            {
                Refuse(key, null, "is given more than once");
                return current;
            }

            return value ?? "";
        }

        var userXattr = false;
        var readOnly = false;
        RedirectDir? redirect = null;
        string? redirectToken = null;

        foreach (var token in options.SelectMany(OptionEscapes.SplitOptions))
        {
            // The kernel skips empty options ("a,,b"); so does this.
            if (token.Length == 0)
            {
                continue;
            }

            var equals = token.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? token : token[..equals];
            var value = equals < 0 ? null : token[(equals + 1)..];

            switch (key)
            {
                case "lowerdir":
                    lowerValue = TakePath(key, lowerValue, value);
                    break;
                case "upperdir":
                    upperValue = TakePath(key, upperValue, value);
                    break;
                case "workdir":
                    workValue = TakePath(key, workValue, value);
                    break;
                case "userxattr" or "ro" or "rw" or "rro" or "rrw" when value is not null:
                    Refuse(token, null, "takes no value");
                    break;
                case "userxattr":
                    userXattr = true;
                    break;
                case "ro" or "rw" or "rro" or "rrw":
                    // An overlay has no submounts: the recursive forms mean the same.
                    readOnly = key is "ro" or "rro";
                    break;
                case "redirect_dir" when value is not null && RedirectValues.TryGetValue(value, out var mode):
                    redirect = mode;
                    redirectToken = token;
                    break;
                case "redirect_dir":
                    Refuse(token, null, "expects on, off, follow or nofollow");
                    break;
                case "index" or "metacopy" or "nfs_export" or "xino" or "uuid" or "verity":
                    if (FeatureRefusal(key, value) is { } reason)
                    {
                        Refuse(token, null, reason);
                    }

                    break;
                case "volatile":
                    // volatile skips every sync of the upper layer and leaves a marker in the work
                    // directory that later mounts must honour; the gofer implements neither.
                    Refuse(token, null, "volatile overlays are not supported");
                    break;
                case "default_permissions":
                    // It switches the kernel to checking only the overlay inode's mode bits instead
                    // of also asking each layer's filesystem; the sentry implements one permission
                    // model, and silently serving the other would widen or narrow access.
                    Refuse(token, null, "is not supported: permissions are always checked against the layers");
                    break;
                case "lowerdir+" or "datadir+":
                    // The new mount API's one-layer-at-a-time forms (fsconfig); datadir+ adds
                    // data-only layers, which need metacopy.
                    Refuse(token, null, "is not supported: list every lower directory in lowerdir=");
                    break;
                default:
                    // Flags a runtime puts on any mount (nosuid, propagation, z…) are left in the
                    // mount's options for the sandbox, or refused by name; see RuntimeMountOptions.
                    if (!RuntimeMountOptions.TryClassify(key, value, out var refusal))
                    {
                        refusal = "unknown overlay option";
                    }

                    if (refusal is not null)
                    {
                        Refuse(token, null, refusal);
                    }

                    break;
            }
        }

        var lowerDirs = lowerValue is null
            ? null
            : ParseLowerDirs(lowerValue, bundleDirectory, destination, problems);
        if (lowerValue is null)
        {
            Refuse("lowerdir", null, "is missing: an overlay needs at least one lower directory");
        }

        var upperDir = upperValue is null ? null : ParseDirectory("upperdir", upperValue, bundleDirectory, destination, problems);
        var workDir = workValue is null ? null : ParseDirectory("workdir", workValue, bundleDirectory, destination, problems);

        // Both or neither: copy-up builds each file in the work directory and renames it into the
        // upper one. The kernel would ignore a lone workdir; refusing it says the spec is confused.
        if (upperValue is not null && workValue is null)
        {
            Refuse("workdir", null, "is missing: upperdir needs a workdir on the same filesystem");
        }
        else if (workValue is not null && upperValue is null)
        {
            Refuse("upperdir", null, "is missing: workdir is given without upperdir");
        }

        // The kernel refuses these too ("conflicting options: userxattr,redirect_dir=…"): following
        // user.* redirects would let an unprivileged user steer lookups into other lower paths. Off
        // is among them: it still follows redirects (as the kernel's redirect_always_follow does,
        // its default), so only nofollow keeps an unprivileged user's layers from steering lookups.
        if (userXattr && redirect is RedirectDir.On or RedirectDir.Follow or RedirectDir.Off)
        {
            Refuse(redirectToken!, null, "cannot be combined with userxattr");
        }

        // This project's default is on, so renaming a directory works as users expect; with
        // userxattr it is nofollow, the only value the kernel accepts there.
        var redirectDir = redirect ?? (userXattr ? RedirectDir.NoFollow : RedirectDir.On);

        if (problems.Count > problemsBefore)
        {
            return null;
        }

        return new OverlayOptions(lowerDirs!, upperDir, workDir, userXattr, redirectDir, readOnly || upperDir is null);
    }

    /// <summary>Null when <paramref name="key"/>=<paramref name="value"/> asks for nothing the gofer lacks, else why it is refused.</summary>
    /// <remarks>
    /// The "off" values (and <c>xino=auto</c>, <c>uuid=null|auto</c>) are accepted: they ask for
    /// nothing. <c>xino=auto</c> makes no promise (the kernel itself drops it when it cannot keep
    /// it), while <c>xino=on</c> promises inode numbers composed from each layer's fsid, which the
    /// sentry numbers its own way. <c>uuid=off|null|auto</c> only pick how the kernel overlay
    /// identifies itself in file handles and statfs; <c>uuid=on</c> persists a UUID in an xattr of
    /// the upper root that the gofer neither writes nor keeps.
    /// </remarks>
    private static string? FeatureRefusal(string key, string? value) => (key, value) switch
    {
        (_, null) => "needs a value",
        ("index" or "metacopy" or "nfs_export" or "verity", "off") => null,
        ("xino", "off" or "auto") => null,
        ("uuid", "off" or "null" or "auto") => null,
        ("index", "on") => "the inode index is not supported",
        ("metacopy", "on") => "metadata-only copy-up is not supported",
        ("nfs_export", "on") => "NFS export is not supported",
        ("xino", "on") => "is not supported: the sentry numbers inodes itself",
        ("uuid", "on") => "is not supported: the gofer keeps no UUID in the upper directory",
        ("verity", "on" or "require") => "fs-verity checks of metacopy layers are not supported",
        ("xino", _) => "expects off, auto or on",
        ("uuid", _) => "expects off, null, auto or on",
        ("verity", _) => "expects off, on or require",
        _ => "expects on or off",
    };

    /// <summary>Splits <c>lowerdir=</c> into absolute paths, topmost (leftmost) first.</summary>
    private static List<string>? ParseLowerDirs(
        string value,
        string bundleDirectory,
        string destination,
        ICollection<SpecProblem> problems)
    {
        void Refuse(string? path, string message) =>
            problems.Add(new SpecProblem(destination, "lowerdir", path, message));

        if (value.Length == 0)
        {
            // The kernel takes an empty lowerdir= as "forget the lowers given so far".
            Refuse(null, "has no value");
            return null;
        }

        if (!OptionEscapes.TryUnescape(value, ':', out var entries))
        {
            Refuse(value, "ends in a lone backslash");
            return null;
        }

        var problemsBefore = problems.Count;
        var inner = entries.Skip(1).SkipLast(1);
        if (inner.Any(e => e.Length == 0))
        {
            // "::" starts the data-only layers (needs metacopy, which the gofer lacks).
            Refuse(value, "data-only lower layers (\"::\") are not supported");
        }
        else if (entries[0].Length == 0 || entries[^1].Length == 0)
        {
            Refuse(value, "has an empty entry (a leading or trailing ':')");
        }

        if (entries.Count > MaxLowerDirs)
        {
            Refuse(null, $"has {entries.Count} entries; the kernel allows at most {MaxLowerDirs} (OVL_MAX_STACK)");
        }

        foreach (var entry in entries.Where(e => e.Length > 0))
        {
            if (HostPath.Defect(entry) is { } defect)
            {
                Refuse(entry, defect);
            }
        }

        return problems.Count > problemsBefore
            ? null
            : entries.ConvertAll(e => HostPath.Resolve(e, bundleDirectory));
    }

    /// <summary>Unescapes and resolves an <c>upperdir=</c> or <c>workdir=</c> value.</summary>
    private static string? ParseDirectory(
        string option,
        string value,
        string bundleDirectory,
        string destination,
        ICollection<SpecProblem> problems)
    {
        string? defect;
        if (value.Length == 0)
        {
            defect = "has no value";
        }
        else if (!OptionEscapes.TryUnescape(value, separator: null, out var parts))
        {
            defect = "ends in a lone backslash";
        }
        else if (HostPath.Defect(parts[0]) is { } pathDefect)
        {
            defect = pathDefect;
        }
        else
        {
            return HostPath.Resolve(parts[0], bundleDirectory);
        }

        problems.Add(new SpecProblem(destination, option, value.Length == 0 ? null : value, defect));
        return null;
    }
}
