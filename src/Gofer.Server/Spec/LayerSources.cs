namespace Gofer.Server.Spec;

/// <summary>
/// The opened source of every layer of a plan that passed its checks, by layer id: made by
/// <see cref="SpecValidator"/>, handed with the plan to staging, and disposed once the layers
/// are mounted (an O_PATH descriptor of a host directory leads out of the staged view through
/// <c>..</c>, so none may outlive staging).
/// </summary>
public sealed class LayerSources : IDisposable
{
    private readonly Dictionary<int, LayerSource> byLayer = [];

    /// <summary>How many sources are held.</summary>
    public int Count => byLayer.Count;

    /// <summary>The source of <paramref name="layer"/>; throws when it was not opened (the plan was not validated, or failed).</summary>
    public LayerSource this[LayerPlan layer] =>
        byLayer.TryGetValue((layer ?? throw new ArgumentNullException(nameof(layer))).Id, out var source)
            ? source
            : throw new InvalidOperationException($"the source of layer {layer.Id} ({layer.Role}) was not opened and checked");

    /// <summary>Whether <paramref name="layer"/>'s source was opened and passed its own checks.</summary>
    public bool Contains(LayerPlan layer) => byLayer.ContainsKey((layer ?? throw new ArgumentNullException(nameof(layer))).Id);

    /// <summary>Takes ownership of <paramref name="source"/>.</summary>
    internal void Add(LayerSource source)
    {
        if (!byLayer.TryAdd(source.Layer.Id, source))
        {
            source.Dispose();
            throw new InvalidOperationException($"layer {source.Layer.Id} was opened twice");
        }
    }

    /// <summary>Closes every descriptor; safe to call more than once.</summary>
    public void Dispose()
    {
        foreach (var source in byLayer.Values)
        {
            source.Dispose();
        }

        byLayer.Clear();
    }
}
