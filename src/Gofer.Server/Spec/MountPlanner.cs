namespace Gofer.Server.Spec;

/// <summary>
/// Turns a spec into a <see cref="MountPlan"/>: which mounts the gofer serves, from which host
/// paths, staged where. Nothing on disk is looked at; <see cref="SpecValidator"/> does that.
/// </summary>
/// <remarks>
/// Index 0 is always the rootfs; each served mount then takes the next index in spec order, even
/// when it cannot be planned, so that staging paths do not move when an earlier mount is fixed.
/// Layer ids are unique across the plan: 1, 2, 3… in plan order.
/// </remarks>
public static class MountPlanner
{
    /// <summary>Plans every mount of <paramref name="spec"/>.</summary>
    /// <param name="spec">The spec, as read by <see cref="OciSpecReader"/>.</param>
    /// <param name="problems">Receives every problem found; nothing is thrown for bad input.</param>
    /// <returns>
    /// The plan. Mounts with problems are left out of it, so it must not be served unless
    /// <paramref name="problems"/> stayed empty.
    /// </returns>
    public static MountPlan Plan(OciSpec spec, ICollection<SpecProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(problems);

        var mounts = new List<PlannedMount>();
        var skipped = new List<SkippedMount>();

        // Layers are built with id 0 and numbered only once their mount is accepted, so that a
        // refused mount leaves no hole in the ids.
        var nextLayerId = 1;
        void Accept(PlannedMount mount) =>
            mounts.Add(mount with { Layers = [.. mount.Layers.Select(l => l with { Id = nextLayerId++ })] });

        if (PlanRootfs(spec, problems) is { } rootfs)
        {
            Accept(rootfs);
        }

        var destinations = new HashSet<string>(StringComparer.Ordinal) { "/" };
        var index = 0;
        foreach (var mount in spec.Mounts)
        {
            var kind = KindOf(mount);
            if (kind is null)
            {
                if (mount.Type is null)
                {
                    problems.Add(new SpecProblem(mount.Destination, "type", null, "is missing and the mount is not a bind mount"));
                }
                else
                {
                    // proc, sysfs, tmpfs, devpts, mqueue, cgroup…: kernel-made filesystems with
                    // no host directory behind them; the sandbox provides its own.
                    skipped.Add(new SkippedMount(mount.Destination, mount.Type));
                }

                continue;
            }

            index++;
            var problemsBefore = problems.Count;
            if (!destinations.Add(mount.Destination))
            {
                // A second mount on one destination would hide the first completely: a spec that
                // does so is more likely wrong than meant.
                problems.Add(new SpecProblem(
                    mount.Destination,
                    "destination",
                    null,
                    mount.Destination == "/"
                        ? "is the rootfs, which root.path already provides"
                        : "is the destination of an earlier served mount too"));
            }

            if (mount.IdMapped)
            {
                // The gofer serves files with their host owners; an idmapped mount promises others.
                // (The idmap options are refused by the option parsers, by name.)
                problems.Add(new SpecProblem(mount.Destination, "uidMappings/gidMappings", null, "idmapped mounts are not supported: the gofer serves files with their owners on disk"));
            }

            var planned = kind == MountKind.Bind
                ? PlanBind(mount, index, spec, problems)
                : PlanOverlay(mount, index, spec, problems);
            if (planned is not null && problems.Count == problemsBefore)
            {
                Accept(planned);
            }
        }

        return new MountPlan(spec.BundlePath, mounts, skipped);
    }

    /// <summary>Bind, overlay, or null for a mount the gofer does not serve.</summary>
    private static MountKind? KindOf(OciMount mount) =>
        // With MS_BIND the kernel ignores the type, so bind/rbind decide whatever the type says.
        mount.Options.Any(o => o is "bind" or "rbind") || mount.Type == "bind" ? MountKind.Bind
        : mount.Type == "overlay" ? MountKind.Overlay
        : null;

    private static PlannedMount? PlanRootfs(OciSpec spec, ICollection<SpecProblem> problems)
    {
        if (SourcePath(spec.RootPath, spec, "/", "root.path", problems) is not { } path)
        {
            return null;
        }

        // A plain, non-recursive bind of root.path. The container's other mounts are the spec's
        // mounts, each served as its own layer. A recursive bind would also serve whatever is
        // mounted below root.path on the host (often the runtime's own mounts for this very
        // container), unplanned and unvalidated, and would let one layer span several
        // filesystems, so that (st_dev, st_ino) would no longer identify a file within it.
        var layer = new LayerPlan(0, LayerRole.Root, path, "/m0/root", spec.RootReadOnly, Recursive: false);
        return new PlannedMount(0, "/", MountKind.Rootfs, [], null, [layer]);
    }

    private static PlannedMount? PlanBind(OciMount mount, int index, OciSpec spec, ICollection<SpecProblem> problems)
    {
        if (mount.Source is null)
        {
            problems.Add(new SpecProblem(mount.Destination, "source", null, "is missing: a bind mount needs a source"));
            return null;
        }

        if (SourcePath(mount.Source, spec, mount.Destination, "source", problems) is not { } source)
        {
            return null;
        }

        if (BindOptionParser.Parse(mount.Options, mount.Destination, problems) is not { } options)
        {
            return null;
        }

        var layer = new LayerPlan(0, LayerRole.Bind, source, $"/m{index}/bind", options.ReadOnly, options.Recursive);
        return new PlannedMount(index, mount.Destination, MountKind.Bind, mount.Options, null, [layer]);
    }

    private static PlannedMount? PlanOverlay(OciMount mount, int index, OciSpec spec, ICollection<SpecProblem> problems)
    {
        if (OverlayOptionParser.Parse(mount.Options, spec.BundlePath, mount.Destination, problems) is not { } overlay)
        {
            return null;
        }

        // Lowers are never written. Upper and work are writable unless the overlay is mounted
        // "ro": a read-only overlay never copies up, so nothing needs to be written into either,
        // and serving them read-only keeps "ro" a guarantee for the host's data.
        var layers = overlay.LowerDirs
            .Select((dir, k) => new LayerPlan(0, LayerRole.Lower, dir, $"/m{index}/lower{k}", ReadOnly: true, Recursive: false))
            .ToList();
        if (overlay.UpperDir is { } upper && overlay.WorkDir is { } work)
        {
            layers.Add(new LayerPlan(0, LayerRole.Upper, upper, $"/m{index}/upper", overlay.ReadOnly, Recursive: false));
            layers.Add(new LayerPlan(0, LayerRole.Work, work, $"/m{index}/work", overlay.ReadOnly, Recursive: false));
        }

        return new PlannedMount(index, mount.Destination, MountKind.Overlay, mount.Options, overlay, layers);
    }

    /// <summary>Resolves a host path of the spec against the bundle, or records why it cannot be used.</summary>
    private static string? SourcePath(
        string path,
        OciSpec spec,
        string destination,
        string option,
        ICollection<SpecProblem> problems)
    {
        if (HostPath.Defect(path) is { } defect)
        {
            problems.Add(new SpecProblem(destination, option, path, defect));
            return null;
        }

        return HostPath.Resolve(path, spec.BundlePath);
    }
}
