namespace Gofer.Server.Spec;

/// <summary>
/// A check of an overlay's upper directory that needs more than stat: for example whether its
/// filesystem can hold the overlay's xattrs and whiteouts. <see cref="SpecValidator"/> calls it
/// once per overlay mount with an upper directory, after that directory has been found to exist
/// and to be a directory, and before anything is mounted.
/// </summary>
public interface IUpperProbe
{
    /// <summary>Examines <paramref name="mount"/>'s upper directory.</summary>
    /// <param name="mount">An overlay mount whose <see cref="OverlayOptions.UpperDir"/> is set.</param>
    /// <returns>The problems found, each naming the mount, the option (<c>upperdir</c>) and the path; none when all is well.</returns>
    IEnumerable<SpecProblem> Probe(PlannedMount mount);
}
