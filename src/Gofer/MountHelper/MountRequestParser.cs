using Gofer.Fuse;
using Gofer.Server.Spec;

namespace Gofer.MountHelper;

/// <summary>
/// Reads `-o` option strings as mount(8) and mount.fuse3 pass them: the generic mount flags set
/// the FUSE mount, everything else belongs to the overlay and goes to the gofer's spec, whose
/// parser refuses what it does not implement by name. Layer paths are made absolute against the
/// caller's working directory, as the kernel resolves them at mount(2).
/// </summary>
public static class MountRequestParser
{
    /// <summary>Flags that mean nothing for this mount (mount(8) itself or fstab acts on them).</summary>
    private static readonly HashSet<string> Ignored = new(StringComparer.Ordinal)
    {
        "defaults", "auto", "noauto", "user", "nouser", "users", "_netdev", "nofail", "silent", "loud",
        "relatime", "strictatime", "lazytime", "nolazytime", "diratime", "nodiratime", "async",

        // Always on: the kernel checks permissions (the sentry serves as root) and every user
        // may enter, as with the kernel's overlayfs.
        "default_permissions", "allow_other",
    };

    private static readonly HashSet<string> LayerPaths = new(StringComparer.Ordinal) { "lowerdir", "upperdir", "workdir" };

    /// <exception cref="ArgumentException">An option is malformed; the message names it.</exception>
    public static OverlayMountRequest Parse(string source, IEnumerable<string> optionStrings, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(optionStrings);
        var fuse = new FuseMountOptions(source, "gofer-overlay");
        var overlay = new List<string>();
        foreach (var option in optionStrings.SelectMany(OptionEscapes.SplitOptions).Where(o => o.Length > 0))
        {
            var equals = option.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? option : option[..equals];
            var value = equals < 0 ? null : option[(equals + 1)..];
            if (MountFlag(fuse, key, value) is { } flagged)
            {
                fuse = flagged;
                continue;
            }

            if (Ignored.Contains(key))
            {
                continue;
            }

            overlay.Add(LayerPaths.Contains(key) ? key + "=" + Absolute(key, NonEmpty(key, value), workingDirectory) : option);
        }

        if (!overlay.Any(o => o.StartsWith("lowerdir=", StringComparison.Ordinal)))
        {
            throw new ArgumentException("-o lowerdir=… is required (and upperdir=…,workdir=… for a writable overlay)");
        }

        return new OverlayMountRequest(string.Join(',', overlay), fuse);
    }

    /// <summary>The mount with a generic flag applied, or null when the option is not one.</summary>
    private static FuseMountOptions? MountFlag(FuseMountOptions fuse, string key, string? value) => key switch
    {
        "ro" => fuse with { ReadOnly = true },
        "rw" => fuse with { ReadOnly = false },
        "nosuid" => fuse with { NoSuid = true },
        "suid" => fuse with { NoSuid = false },
        "nodev" => fuse with { NoDev = true },
        "dev" => fuse with { NoDev = false },
        "noexec" => fuse with { NoExec = true },
        "exec" => fuse with { NoExec = false },
        "noatime" => fuse with { NoAtime = true },
        "atime" => fuse with { NoAtime = false },
        "fsname" => fuse with { Source = NonEmpty(key, value) },
        "subtype" => fuse with { Subtype = Subtype(NonEmpty(key, value)) },
        _ => null,
    };

    /// <summary>
    /// The subtype becomes part of the filesystem type and of mount(2)'s option string, where a
    /// comma or space would add options or split the type: refused here, by name, before anything runs.
    /// </summary>
    private static string Subtype(string value) =>
        value.IndexOfAny([',', ' ', '\0', '/']) >= 0 ? throw new ArgumentException($"option subtype={value} may not hold a comma, space or slash") : value;

    private static string NonEmpty(string key, string? value) =>
        string.IsNullOrEmpty(value) ? throw new ArgumentException($"option {key} needs a value ({key}=…)") : value;

    /// <summary>Each path of the option (lowerdir: each colon-separated layer) made absolute; escapes kept.</summary>
    private static string Absolute(string key, string value, string workingDirectory)
    {
        var paths = key == "lowerdir" ? OptionEscapes.SplitKeepingEscapes(value, ':') : [value];
        if (paths.Any(p => p.Length == 0))
        {
            throw new ArgumentException($"option {key}={value} has an empty path");
        }

        return string.Join(':', paths.Select(p => p.StartsWith('/') ? p : OptionEscapes.Escape(workingDirectory.TrimEnd('/')) + "/" + p));
    }
}
