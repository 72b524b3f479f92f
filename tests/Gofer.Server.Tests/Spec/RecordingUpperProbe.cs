using Gofer.Server.Spec;

namespace Gofer.Server.Tests.Spec;

/// <summary>An <see cref="IUpperProbe"/> that remembers what it was asked and reports one fixed problem per call.</summary>
internal sealed class RecordingUpperProbe : IUpperProbe
{
    public List<PlannedMount> Probed { get; } = [];

    /// <summary>The upper and work sources each call was given.</summary>
    public List<(LayerSource Upper, LayerSource Work)> Sources { get; } = [];

    public IEnumerable<SpecProblem> Probe(PlannedMount mount, LayerSource upper, LayerSource work)
    {
        Probed.Add(mount);
        Sources.Add((upper, work));
        return [new SpecProblem(mount.Destination, "upperdir", mount.Overlay!.UpperDir, "probed")];
    }
}
