namespace Gofer.Server.Spec;

/// <summary>What <see cref="BundleLoader.Load"/> made of a bundle, and the sources it opened.</summary>
/// <remarks>
/// Disposing closes the opened sources. Staging consumes them; whoever does not stage (a refused
/// bundle, <c>gofer check</c>) disposes the result.
/// </remarks>
public sealed class BundleLoadResult : IDisposable
{
    /// <param name="plan">See <see cref="Plan"/>.</param>
    /// <param name="problems">See <see cref="Problems"/>.</param>
    /// <param name="sources">The opened sources; none when omitted.</param>
    public BundleLoadResult(MountPlan? plan, IReadOnlyList<SpecProblem> problems, LayerSources? sources = null)
    {
        Plan = plan;
        Problems = problems;
        Sources = sources ?? new LayerSources();
    }

    /// <summary>
    /// The mount plan, or null when the spec could not be planned at all (no readable
    /// <c>config.json</c>, malformed JSON, no usable <c>root</c>). A plan comes with problems when
    /// parts of the spec are wrong; mounts with problems are left out of it.
    /// </summary>
    public MountPlan? Plan { get; }

    /// <summary>Everything wrong with the bundle, in the order found.</summary>
    public IReadOnlyList<SpecProblem> Problems { get; }

    /// <summary>The source of every layer that passed its checks, opened once: what staging mounts.</summary>
    public LayerSources Sources { get; }

    /// <summary>The plan may be staged and served: there is one and nothing is wrong with it.</summary>
    public bool CanServe => Plan is not null && Problems.Count == 0;

    public void Dispose() => Sources.Dispose();
}
