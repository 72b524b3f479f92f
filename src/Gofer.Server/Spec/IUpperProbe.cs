namespace Gofer.Server.Spec;

/// <summary>
/// A check of an overlay's upper directory that needs more than stat: for example whether its
/// filesystem can hold the overlay's xattrs and whiteouts. <see cref="SpecValidator"/> calls it
/// once per overlay mount with an upper and a work directory, after both have been opened and
/// found to be directories, and before anything is mounted.
/// </summary>
public interface IUpperProbe
{
    /// <summary>Examines <paramref name="mount"/>'s upper directory, working only through the opened sources.</summary>
    /// <param name="mount">An overlay mount whose <see cref="OverlayOptions.UpperDir"/> and <see cref="OverlayOptions.WorkDir"/> are set.</param>
    /// <param name="upper">The upper directory as opened: the one staging will mount.</param>
    /// <param name="work">The work directory as opened, on the upper's filesystem.</param>
    /// <returns>The problems found, each naming the mount, the option (<c>upperdir</c>) and the path; none when all is well.</returns>
    IEnumerable<SpecProblem> Probe(PlannedMount mount, LayerSource upper, LayerSource work);
}
