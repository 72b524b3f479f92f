namespace Gofer.Server.Spec;

/// <summary>What <see cref="BundleLoader.Load"/> made of a bundle.</summary>
/// <param name="Plan">
/// The mount plan, or null when the spec could not be planned at all (no readable
/// <c>config.json</c>, malformed JSON, no usable <c>root</c>). A plan comes with problems when
/// parts of the spec are wrong; mounts with problems are left out of it.
/// </param>
/// <param name="Problems">Everything wrong with the bundle, in the order found.</param>
public sealed record BundleLoadResult(MountPlan? Plan, IReadOnlyList<SpecProblem> Problems)
{
    /// <summary>The plan may be staged and served: there is one and nothing is wrong with it.</summary>
    public bool CanServe => Plan is not null && Problems.Count == 0;
}
