namespace Gofer.Server.Spec;

/// <summary>
/// One directory the gofer serves: where it is on the host, where it is staged, and what the
/// client may do with it.
/// </summary>
/// <param name="Id">Unique across the whole plan; the wire's layer id.</param>
/// <param name="Role">The part the layer plays in its mount.</param>
/// <param name="SourcePath">Absolute host path, after resolving paths relative to the bundle.</param>
/// <param name="StagingPath">Absolute path inside the staging root, e.g. <c>/m1/lower0</c>.</param>
/// <param name="ReadOnly">Served read-only: every modification fails with EROFS.</param>
/// <param name="Recursive">Bind submounts too (<c>rbind</c>); overlay layers never are.</param>
public sealed record LayerPlan(
    int Id,
    LayerRole Role,
    string SourcePath,
    string StagingPath,
    bool ReadOnly,
    bool Recursive);
