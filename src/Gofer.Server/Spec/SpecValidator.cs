using Gofer.Native;

namespace Gofer.Server.Spec;

/// <summary>
/// Checks a <see cref="MountPlan"/> against the filesystem before anything is mounted: every
/// layer exists and has the right type, and an overlay's layers keep the separations the kernel's
/// overlayfs demands. Every problem is collected, not just the first.
/// </summary>
/// <remarks>
/// Each layer's source is opened once (<see cref="SourceOpener"/>) and every check is made on
/// that descriptor — its type by fstat, containment by its ancestors' identities
/// (<see cref="SourceAncestry"/>), the filesystem by its st_dev, the upper probe relative to it —
/// never on a path string again, since a path can be pointed elsewhere between a check and a
/// mount. The descriptors are what staging mounts. Containment is never judged on the plan's
/// lexical paths: a symlink (or <c>link/..</c>) can make a path that looks separate lead into
/// another layer, and an upper directory inside a lower one would let copy-up write into what
/// must stay read-only.
/// </remarks>
/// <param name="upperProbe">
/// An optional deeper check of each overlay's upper directory (xattrs, whiteouts); see
/// <see cref="IUpperProbe"/> for when it is called.
/// </param>
public sealed class SpecValidator(IUpperProbe? upperProbe = null)
{
    /// <summary>Opens and validates every layer of every mount of <paramref name="plan"/>.</summary>
    /// <param name="plan">The plan to check.</param>
    /// <param name="sources">
    /// Receives the opened source of every layer that passed its own checks; the caller owns them.
    /// When no problem is returned, it holds every layer of the plan.
    /// </param>
    /// <returns>Every problem found, in plan order; empty when the plan can be staged.</returns>
    public IReadOnlyList<SpecProblem> Validate(MountPlan plan, LayerSources sources)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(sources);
        var problems = new List<SpecProblem>();
        using var opener = new SourceOpener();
        foreach (var mount in plan.Mounts)
        {
            // Layers that failed their own check are absent from sources, and the overlay checks
            // skip them rather than report consequences of the same fault.
            foreach (var layer in mount.Layers)
            {
                if (Examine(opener, mount, layer, problems) is { } source)
                {
                    sources.Add(source);
                }
            }

            if (mount.Kind == MountKind.Overlay)
            {
                CheckOverlay(mount, sources, problems);
            }
        }

        return problems;
    }

    /// <summary>Opens one layer and checks its type; null (with a problem) when it cannot be served.</summary>
    private static LayerSource? Examine(SourceOpener opener, PlannedMount mount, LayerPlan layer, List<SpecProblem> problems)
    {
        void Report(string message) =>
            problems.Add(new SpecProblem(mount.Destination, OptionOf(layer.Role), layer.SourcePath, message));

        if (opener.Open(layer, out var problem) is not { } source)
        {
            Report(problem!);
            return null;
        }

        // The type of what was opened: an inode's type never changes, so this holds at the mount.
        if (LayerRoots.Refusal(layer.Role, source.Status.Type) is { } refusal)
        {
            source.Dispose();
            Report(refusal);
            return null;
        }

        return source;
    }

    private void CheckOverlay(PlannedMount mount, LayerSources sources, List<SpecProblem> problems)
    {
        var present = mount.Layers.Where(sources.Contains).Select(l => sources[l]).ToList();
        var lowers = present.Where(s => s.Layer.Role == LayerRole.Lower).ToList();
        var upper = present.Find(s => s.Layer.Role == LayerRole.Upper);
        var work = present.Find(s => s.Layer.Role == LayerRole.Work);

        // Each layer's ancestors, walked once from its descriptor (only when something is written:
        // lowers alone may overlap). A layer whose place cannot be told is reported, so the mount
        // is not served: its separation is unknown.
        var ancestors = new Dictionary<int, List<FileIdentity>>();
        foreach (var source in upper is null && work is null ? [] : present)
        {
            if (SourceAncestry.Of(source, out var error) is { } found)
            {
                ancestors[source.Layer.Id] = found;
            }
            else
            {
                problems.Add(new SpecProblem(mount.Destination, OptionOf(source.Layer.Role), source.Layer.SourcePath, $"cannot tell where it lies: {Errno.Describe(error)}"));
            }
        }

        // Lowers may overlap one another, as in the kernel: they are all read-only. The upper
        // and work directories are written, so each must be apart from every other layer.
        if (upper is not null)
        {
            lowers.ForEach(lower => CheckApart(mount, upper, lower, ancestors, problems));
        }

        if (work is not null)
        {
            if (upper is not null)
            {
                CheckApart(mount, work, upper, ancestors, problems);
            }

            lowers.ForEach(lower => CheckApart(mount, work, lower, ancestors, problems));
        }

        // Copy-up builds a file in the work directory and renames it into the upper one, and
        // rename(2) cannot cross filesystems. The kernel asks for more (the same mount), but the
        // gofer stages its own mounts; the filesystem is what a descriptor's st_dev tells.
        if (upper is not null && work is not null && upper.Status.Device != work.Status.Device)
        {
            problems.Add(new SpecProblem(
                mount.Destination,
                "workdir",
                work.Layer.SourcePath,
                $"is on another filesystem than upperdir \"{upper.Layer.SourcePath}\""));
        }

        if (upperProbe is not null && upper is not null && work is not null)
        {
            problems.AddRange(upperProbe.Probe(mount, upper, work));
        }
    }

    /// <summary>
    /// Reports when <paramref name="written"/> (an upper or work directory) and
    /// <paramref name="other"/> are the same directory or one holds the other.
    /// </summary>
    private static void CheckApart(
        PlannedMount mount,
        LayerSource written,
        LayerSource other,
        Dictionary<int, List<FileIdentity>> ancestors,
        List<SpecProblem> problems)
    {
        // One directory holds another when it is among the other's ancestors.
        bool Holds(LayerSource outer, LayerSource inner) =>
            ancestors.TryGetValue(inner.Layer.Id, out var above) && above.Exists(outer.Identity.IsSameFile);

        (LayerSource Inner, LayerSource Outer, string Relation)? overlap =
            written.Identity.IsSameFile(other.Identity) ? (written, other, "is the same directory as")
            : Holds(other, written) ? (written, other, "is inside")
            : Holds(written, other) ? (other, written, "is inside")
            : null;
        if (overlap is not var (inner, outer, relation))
        {
            return;
        }

        var resolution = inner.ResolvedPath != inner.Layer.SourcePath || outer.ResolvedPath != outer.Layer.SourcePath
            ? $" (after resolving symlinks: \"{inner.ResolvedPath}\" and \"{outer.ResolvedPath}\")"
            : "";
        problems.Add(new SpecProblem(
            mount.Destination,
            OptionOf(inner.Layer.Role),
            inner.Layer.SourcePath,
            $"{relation} {OptionOf(outer.Layer.Role)} \"{outer.Layer.SourcePath}\"{resolution}"));
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
