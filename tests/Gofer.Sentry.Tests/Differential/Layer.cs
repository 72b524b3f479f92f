namespace Gofer.Sentry.Tests.Differential;

/// <summary>The entries of one layer, parents before children.</summary>
public sealed record Layer(IReadOnlyList<LayerEntry> Entries)
{
    public static Layer Empty { get; } = new([]);

    public static Layer Of(params LayerEntry[] entries) => new(entries);
}
