using System.Globalization;
using System.Text;

namespace Gofer.Server.Spec;

/// <summary>
/// Renders a bundle's plan and problems as plain text for <c>gofer check</c>: one line per mount,
/// layer, skipped mount and problem, in plan order, so that two runs over the same bundle print
/// the same text and a diff shows what changed.
/// </summary>
/// <example>
/// <code>
/// bundle "/run/b"
/// mount 0 "/" rootfs
///   layer 1 root "/run/b/rootfs" at /m0/root ro
/// mount 1 "/data" overlay
///   options: lowerdir=/l1:/l0,upperdir=/u,workdir=/w
///   overlay: rw redirect_dir=on xattrs=trusted.overlay.
///   layer 2 lower "/l1" at /m1/lower0 ro
/// skipped "/proc" proc
/// problems: none
/// </code>
/// </example>
public static class MountPlanFormatter
{
    /// <summary>Renders <paramref name="result"/>; every line ends with a newline.</summary>
    /// <param name="result">What <see cref="BundleLoader.Load"/> returned.</param>
    /// <returns>The text.</returns>
    public static string Format(BundleLoadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        void Line(string line) => text.Append(line).Append('\n');

        if (result.Plan is { } plan)
        {
            Line($"bundle {Quote(plan.BundlePath)}");
            foreach (var mount in plan.Mounts)
            {
                Line(Invariant($"mount {mount.Index} {Quote(mount.Destination)} {KindName(mount.Kind)}"));
                if (mount.Options.Count > 0)
                {
                    Line($"  options: {Escape(string.Join(',', mount.Options))}");
                }

                if (mount.Overlay is { } overlay)
                {
                    Line($"  overlay: {(overlay.ReadOnly ? "ro" : "rw")} redirect_dir={OverlayOptionParser.RedirectDirName(overlay.RedirectDir)} xattrs={overlay.XattrPrefix}");
                }

                foreach (var layer in mount.Layers)
                {
                    var recursive = layer.Recursive ? " recursive" : "";
                    Line(Invariant($"  layer {layer.Id} {RoleName(layer.Role)} {Quote(layer.SourcePath)} at {layer.StagingPath} {(layer.ReadOnly ? "ro" : "rw")}{recursive}"));
                }
            }

            foreach (var skipped in plan.Skipped)
            {
                Line($"skipped {Quote(skipped.Destination)} {Escape(skipped.Type)}");
            }
        }
        else
        {
            Line("no plan: the spec could not be read");
        }

        if (result.Problems.Count == 0)
        {
            Line("problems: none");
        }
        else
        {
            Line(Invariant($"problems: {result.Problems.Count}"));
            foreach (var problem in result.Problems)
            {
                Line($"  {Escape(problem.ToString())}");
            }
        }

        return text.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string KindName(MountKind kind) => kind switch
    {
        MountKind.Rootfs => "rootfs",
        MountKind.Bind => "bind",
        MountKind.Overlay => "overlay",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown mount kind"),
    };

    private static string RoleName(LayerRole role) => role switch
    {
        LayerRole.Root => "root",
        LayerRole.Bind => "bind",
        LayerRole.Lower => "lower",
        LayerRole.Upper => "upper",
        LayerRole.Work => "work",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "unknown layer role"),
    };

    /// <summary>A path in double quotes, escaped so that no path can end a quote or a line early.</summary>
    private static string Quote(string text) => $"\"{Escape(text, quoting: true)}\"";

    /// <summary>
    /// Control characters written as escapes (and, when quoting, <c>"</c> and <c>\</c> too): a
    /// newline inside a spec's path must not be able to forge lines of the report.
    /// </summary>
    private static string Escape(string text, bool quoting = false)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            _ = c switch
            {
                '\n' => escaped.Append("\\n"),
                '\t' => escaped.Append("\\t"),
                '\r' => escaped.Append("\\r"),
                '"' or '\\' when quoting => escaped.Append('\\').Append(c),
                _ when char.IsControl(c) => escaped.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                _ => escaped.Append(c),
            };
        }

        return escaped.ToString();
    }
}
