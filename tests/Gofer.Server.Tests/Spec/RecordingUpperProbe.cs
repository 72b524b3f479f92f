using Gofer.Server.Spec;

namespace Gofer.Server.Tests.Spec;

/// <summary>An <see cref="IUpperProbe"/> that remembers what it was asked and reports one fixed problem per call.</summary>
internal sealed class RecordingUpperProbe : IUpperProbe
{
    public List<PlannedMount> Probed { get; } = [];

    public IEnumerable<SpecProblem> Probe(PlannedMount mount)
    {
        Probed.Add(mount);
        return [new SpecProblem(mount.Destination, "upperdir", mount.Overlay!.UpperDir, "probed")];
    }
}
