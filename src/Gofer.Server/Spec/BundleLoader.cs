namespace Gofer.Server.Spec;

/// <summary>The single entry point from a bundle directory to a validated <see cref="MountPlan"/>.</summary>
public static class BundleLoader
{
    /// <summary>
    /// Reads <c>config.json</c>, plans its mounts, opens every layer's source once and checks what
    /// it opened, collecting every problem.
    /// </summary>
    /// <param name="bundleDirectory">The bundle directory; a relative path is taken from the current directory.</param>
    /// <param name="upperProbe">An optional deeper check of each overlay's upper directory (see <see cref="IUpperProbe"/>).</param>
    /// <returns>
    /// The plan, every problem and the opened sources (the caller disposes the result); serve only
    /// when <see cref="BundleLoadResult.CanServe"/>, and stage from its sources.
    /// </returns>
    public static BundleLoadResult Load(string bundleDirectory, IUpperProbe? upperProbe = null)
    {
        ArgumentNullException.ThrowIfNull(bundleDirectory);
        var problems = new List<SpecProblem>();
        if (HostPath.Defect(bundleDirectory) is { } defect)
        {
            problems.Add(new SpecProblem(null, "bundle", bundleDirectory, defect));
            return new BundleLoadResult(null, problems);
        }

        var bundle = HostPath.Resolve(bundleDirectory, Environment.CurrentDirectory);
        if (OciSpecReader.Read(bundle, problems) is not { } spec)
        {
            return new BundleLoadResult(null, problems);
        }

        var plan = MountPlanner.Plan(spec, problems);
        var sources = new LayerSources();
        try
        {
            problems.AddRange(new SpecValidator(upperProbe).Validate(plan, sources));
        }
        catch
        {
            sources.Dispose();
            throw;
        }

        return new BundleLoadResult(plan, problems, sources);
    }
}
