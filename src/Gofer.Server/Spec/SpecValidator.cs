using System.Runtime.InteropServices;
using Gofer.Native;
using Tmds.Linux;

namespace Gofer.Server.Spec;

/// <summary>
/// Checks a <see cref="MountPlan"/> against the filesystem before anything is mounted: every
/// layer exists and has the right type, and an overlay's layers keep the separations the kernel's
/// overlayfs demands. Every problem is collected, not just the first.
/// </summary>
/// <remarks>
/// Containment is judged on realpath(3) results, never on the plan's lexical paths: a symlink (or
/// <c>link/..</c>) can make a path that looks separate lead into another layer, and an upper
/// directory inside a lower one would let copy-up write into what must stay read-only.
/// Paths are followed like mount(2) and overlayfs follow them: symlinks included.
/// </remarks>
/// <param name="upperProbe">
/// An optional deeper check of each overlay's upper directory (xattrs, whiteouts); see
/// <see cref="IUpperProbe"/> for when it is called.
/// </param>
public sealed class SpecValidator(IUpperProbe? upperProbe = null)
{
    /// <summary>Validates every layer of every mount of <paramref name="plan"/>.</summary>
    /// <param name="plan">The plan to check.</param>
    /// <returns>Every problem found, in plan order; empty when the plan can be staged.</returns>
    public IReadOnlyList<SpecProblem> Validate(MountPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var problems = new List<SpecProblem>();
        foreach (var mount in plan.Mounts)
        {
            // Layer id → where it really is; layers that failed their own check are absent, and
            // the overlay checks skip them rather than report consequences of the same fault.
            var found = new Dictionary<int, (string RealPath, PathStatus Status)>();
            foreach (var layer in mount.Layers)
            {
                if (Examine(mount, layer, problems) is { } result)
                {
                    found[layer.Id] = result;
                }
            }

            if (mount.Kind == MountKind.Overlay)
            {
                CheckOverlay(mount, found, problems);
            }
        }

        return problems;
    }

    /// <summary>Resolves one layer and checks its type; null (with a problem) when it cannot be served.</summary>
    private static (string RealPath, PathStatus Status)? Examine(PlannedMount mount, LayerPlan layer, List<SpecProblem> problems)
    {
        void Report(string message) =>
            problems.Add(new SpecProblem(mount.Destination, OptionOf(layer.Role), layer.SourcePath, message));

        if (!RealPath.TryResolve(layer.SourcePath, out var realPath, out var errno)
            || !PathStatus.TryGet(realPath, out var status, out errno))
        {
            Report(errno == LibC.ENOENT ? "does not exist" : Marshal.GetPInvokeErrorMessage(errno));
            return null;
        }

        if (LayerRoots.Refusal(layer.Role, status.Type) is { } refusal)
        {
            Report(refusal);
            return null;
        }

        return (realPath, status);
    }

    private void CheckOverlay(
        PlannedMount mount,
        Dictionary<int, (string RealPath, PathStatus Status)> found,
        List<SpecProblem> problems)
    {
        var present = mount.Layers.Where(l => found.ContainsKey(l.Id)).ToList();
        var lowers = present.Where(l => l.Role == LayerRole.Lower).ToList();
        var upper = present.Find(l => l.Role == LayerRole.Upper);
        var work = present.Find(l => l.Role == LayerRole.Work);

        // Lowers may overlap one another, as in the kernel: they are all read-only. The upper
        // and work directories are written, so each must be apart from every other layer.
        if (upper is not null)
        {
            lowers.ForEach(lower => CheckApart(mount, upper, lower, found, problems));
        }

        if (work is not null)
        {
            if (upper is not null)
            {
                CheckApart(mount, work, upper, found, problems);
            }

            lowers.ForEach(lower => CheckApart(mount, work, lower, found, problems));
        }

        // Copy-up builds a file in the work directory and renames it into the upper one, and
        // rename(2) cannot cross filesystems. The kernel asks for more (the same mount), but the
        // gofer stages its own mounts; the filesystem is what a path can tell.
        if (upper is not null && work is not null && found[upper.Id].Status.Device != found[work.Id].Status.Device)
        {
            problems.Add(new SpecProblem(
                mount.Destination,
                "workdir",
                work.SourcePath,
                $"is on another filesystem than upperdir \"{upper.SourcePath}\""));
        }

        if (upperProbe is not null && upper is not null)
        {
            problems.AddRange(upperProbe.Probe(mount));
        }
    }

    /// <summary>Reports when <paramref name="a"/> and <paramref name="b"/> are the same directory or one holds the other.</summary>
    private static void CheckApart(
        PlannedMount mount,
        LayerPlan a,
        LayerPlan b,
        Dictionary<int, (string RealPath, PathStatus Status)> found,
        List<SpecProblem> problems)
    {
        var realA = found[a.Id].RealPath;
        var realB = found[b.Id].RealPath;
        (LayerPlan Inner, LayerPlan Outer, string Relation)? overlap =
            realA == realB ? (a, b, "is the same directory as")
            : HostPath.IsSameOrInside(realA, realB) ? (a, b, "is inside")
            : HostPath.IsSameOrInside(realB, realA) ? (b, a, "is inside")
            : null;
        if (overlap is not var (inner, outer, relation))
        {
            return;
        }

        var realInner = found[inner.Id].RealPath;
        var realOuter = found[outer.Id].RealPath;
        var resolution = realInner != inner.SourcePath || realOuter != outer.SourcePath
            ? $" (after resolving symlinks: \"{realInner}\" and \"{realOuter}\")"
            : "";
        problems.Add(new SpecProblem(
            mount.Destination,
            OptionOf(inner.Role),
            inner.SourcePath,
            $"{relation} {OptionOf(outer.Role)} \"{outer.SourcePath}\"{resolution}"));
    }

    /// <summary>The spec option a layer comes from, to name it in problems.</summary>
    private static string OptionOf(LayerRole role) => role switch
    {
        LayerRole.Root => "root.path",
        LayerRole.Bind => "source",
        LayerRole.Lower => "lowerdir",
        LayerRole.Upper => "upperdir",
        LayerRole.Work => "workdir",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "unknown layer role"),
    };
}
