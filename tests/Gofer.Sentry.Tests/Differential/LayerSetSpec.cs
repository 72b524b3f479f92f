using System.Text;

namespace Gofer.Sentry.Tests.Differential;

/// <summary>
/// The layers of one overlay mount, as data.
/// </summary>
/// <param name="Lowers">Topmost first, as in <c>lowerdir=</c>.</param>
/// <param name="Upper">The upper layer's initial content, or null for a read-only overlay (no upperdir, no workdir).</param>
public sealed record LayerSetSpec(IReadOnlyList<Layer> Lowers, Layer? Upper)
{
    /// <summary>Every path named in any layer, including whited-out and hidden ones, in order of first appearance.</summary>
    public IEnumerable<string> Paths =>
        AllLayers.SelectMany(l => l.Entries).Select(e => e.Path).Distinct(StringComparer.Ordinal);

    /// <summary>The paths the mount shows at first, with what each is.</summary>
    public IEnumerable<(string Path, EntryKind Kind)> Visible =>
        from path in Paths
        let kind = OverlayLookup.Find(AllLayers, path)
        where kind is not null
        select (path, kind.Value);

    /// <summary>Topmost first.</summary>
    private IEnumerable<Layer> AllLayers => Upper is null ? Lowers : [Upper, .. Lowers];

    /// <summary>The layer set as the C# that makes it.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("new LayerSetSpec(\n    Lowers: [\n");
        foreach (var lower in Lowers)
        {
            text.Append("        ");
            Describe(text, lower, "        ");
            text.Append(",\n");
        }

        text.Append("    ],\n    Upper: ");
        if (Upper is null)
        {
            text.Append("null");
        }
        else
        {
            Describe(text, Upper, "    ");
        }

        return text.Append(')').ToString();
    }

    private static void Describe(StringBuilder text, Layer layer, string indent)
    {
        text.Append("Layer.Of(");
        foreach (var entry in layer.Entries)
        {
            text.Append('\n').Append(indent).Append("    ").Append(entry).Append(',');
        }

        if (layer.Entries.Count > 0)
        {
            text.Length--; // the last comma
        }

        text.Append(')');
    }
}
