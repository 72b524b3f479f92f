using Gofer.Server.Spec;

namespace Gofer.Server.Tests.Spec;

public class MountPlannerTests
{
    private const string Bundle = "/bundle";

    private static OciMount Mount(string destination, string? type, string? source = null, params string[] options) =>
        new(destination, type, source, options, IdMapped: false);

    private static (MountPlan Plan, List<SpecProblem> Problems) Plan(params OciMount[] mounts) =>
        Plan(new OciSpec(Bundle, "rootfs", RootReadOnly: false, mounts));

    private static (MountPlan Plan, List<SpecProblem> Problems) Plan(OciSpec spec)
    {
        var problems = new List<SpecProblem>();
        return (MountPlanner.Plan(spec, problems), problems);
    }

    [Fact]
    public void Plans_rootfs_binds_and_overlays_and_skips_kernel_filesystems()
    {
        var (plan, problems) = Plan(
            Mount("/proc", "proc", "proc"),
            Mount("/data", "bind", "data", "rbind", "ro"),
            Mount("/tmp", "tmpfs", "tmpfs", "nosuid"),
            Mount("/merged", "overlay", "overlay", "lowerdir=/l0:/l1", "upperdir=up,workdir=work"),
            Mount("/etc/hosts", "none", "/run/hosts", "bind"),
            Mount("/sys/fs/cgroup", "cgroup2", "cgroup"));

        Assert.Empty(problems);
        Assert.Equal(Bundle, plan.BundlePath);
        Assert.Equal(
            [new SkippedMount("/proc", "proc"), new SkippedMount("/tmp", "tmpfs"), new SkippedMount("/sys/fs/cgroup", "cgroup2")],
            plan.Skipped);
        Assert.Equal(
            [(0, "/", MountKind.Rootfs), (1, "/data", MountKind.Bind), (2, "/merged", MountKind.Overlay), (3, "/etc/hosts", MountKind.Bind)],
            plan.Mounts.Select(m => (m.Index, m.Destination, m.Kind)));
        Assert.Equal(
            [
                new LayerPlan(1, LayerRole.Root, "/bundle/rootfs", "/m0/root", ReadOnly: false, Recursive: false),
                new LayerPlan(2, LayerRole.Bind, "/bundle/data", "/m1/bind", ReadOnly: true, Recursive: true),
                new LayerPlan(3, LayerRole.Lower, "/l0", "/m2/lower0", ReadOnly: true, Recursive: false),
                new LayerPlan(4, LayerRole.Lower, "/l1", "/m2/lower1", ReadOnly: true, Recursive: false),
                new LayerPlan(5, LayerRole.Upper, "/bundle/up", "/m2/upper", ReadOnly: false, Recursive: false),
                new LayerPlan(6, LayerRole.Work, "/bundle/work", "/m2/work", ReadOnly: false, Recursive: false),
                new LayerPlan(7, LayerRole.Bind, "/run/hosts", "/m3/bind", ReadOnly: false, Recursive: false),
            ],
            plan.Layers);

        var overlay = plan.Mounts[2];
        Assert.Equal(["lowerdir=/l0:/l1", "upperdir=up,workdir=work"], overlay.Options);
        Assert.NotNull(overlay.Overlay);
        Assert.Equal(["/l0", "/l1"], overlay.Overlay.LowerDirs);
        Assert.Empty(plan.Mounts[0].Options);
        Assert.Null(plan.Mounts[1].Overlay);
    }

    [Theory]
    [InlineData("rootfs", false, "/bundle/rootfs", false)]
    [InlineData("/srv/root/", true, "/srv/root", true)]
    [InlineData("../shared/rootfs", false, "/shared/rootfs", false)]
    public void Rootfs_is_a_non_recursive_bind_of_root_path(string rootPath, bool readOnly, string source, bool expectReadOnly)
    {
        var (plan, problems) = Plan(new OciSpec(Bundle, rootPath, readOnly, []));

        Assert.Empty(problems);
        var rootfs = Assert.Single(plan.Mounts);
        Assert.Equal((0, "/", MountKind.Rootfs), (rootfs.Index, rootfs.Destination, rootfs.Kind));
        Assert.Equal(new LayerPlan(1, LayerRole.Root, source, "/m0/root", expectReadOnly, Recursive: false), Assert.Single(rootfs.Layers));
    }

    [Theory]
    [InlineData(new[] { "bind" }, false, false)]
    [InlineData(new[] { "rbind" }, false, true)]
    [InlineData(new[] { "bind", "ro" }, true, false)]
    [InlineData(new[] { "rbind", "rro" }, true, true)]
    [InlineData(new[] { "bind", "ro", "rw" }, false, false)]
    [InlineData(new[] { "rw", "rbind", "ro", "nosuid", "rprivate" }, true, true)]
    public void Bind_options_decide_read_only_last_wins_and_recursion(string[] options, bool readOnly, bool recursive)
    {
        var (plan, problems) = Plan(Mount("/d", "bind", "/src", options));

        Assert.Empty(problems);
        var layer = Assert.Single(plan.Mounts[1].Layers);
        Assert.Equal((readOnly, recursive), (layer.ReadOnly, layer.Recursive));
    }

    [Fact]
    public void Bind_in_the_options_wins_over_the_type()
    {
        // With MS_BIND the kernel ignores the filesystem type.
        var (plan, problems) = Plan(Mount("/d", "overlay", "/src", "rbind"));

        Assert.Empty(problems);
        Assert.Equal(MountKind.Bind, plan.Mounts[1].Kind);
        Assert.Equal("/src", plan.Mounts[1].Layers[0].SourcePath);
    }

    [Theory]
    [InlineData("ro", true)]
    [InlineData("rw", false)]
    public void Upper_and_work_follow_the_overlays_ro(string mode, bool readOnly)
    {
        var (plan, problems) = Plan(Mount("/m", "overlay", "overlay", "lowerdir=/l,upperdir=/u,workdir=/w", mode));

        Assert.Empty(problems);
        Assert.Equal(
            [(LayerRole.Lower, true), (LayerRole.Upper, readOnly), (LayerRole.Work, readOnly)],
            plan.Mounts[1].Layers.Select(l => (l.Role, l.ReadOnly)));
    }

    [Fact]
    public void An_overlay_without_upper_has_only_read_only_lowers()
    {
        var (plan, problems) = Plan(Mount("/m", "overlay", "overlay", "lowerdir=/a:/b"));

        Assert.Empty(problems);
        Assert.All(plan.Mounts[1].Layers, l => Assert.Equal((LayerRole.Lower, true), (l.Role, l.ReadOnly)));
        Assert.True(plan.Mounts[1].Overlay!.ReadOnly);
    }

    [Fact]
    public void A_refused_mount_keeps_later_indexes_and_leaves_no_hole_in_layer_ids()
    {
        var (plan, problems) = Plan(
            Mount("/bad", "overlay", "overlay", "lowerdir=/l", "metacopy=on"),
            Mount("/good", "bind", "/src"));

        Assert.Equal("metacopy=on", Assert.Single(problems).Option);
        Assert.Equal([(0, "/"), (2, "/good")], plan.Mounts.Select(m => (m.Index, m.Destination)));
        Assert.Equal([(1, "/m0/root"), (2, "/m2/bind")], plan.Layers.Select(l => (l.Id, l.StagingPath)));
    }

    public static TheoryData<OciMount[], string, string?, string> Problems => new()
    {
        { [Mount("/d", "bind", "/a"), Mount("/d", "bind", "/b")], "/d", "destination", "earlier served mount" },
        { [Mount("/d", "overlay", null, "lowerdir=/l"), Mount("/d", "bind", "/b")], "/d", "destination", "earlier served mount" },
        { [Mount("/", "bind", "/other-root")], "/", "destination", "is the rootfs" },
        { [Mount("/d", null, "/a")], "/d", "type", "is missing" },
        { [Mount("/d", "bind", null)], "/d", "source", "is missing" },
        { [Mount("/d", "bind", "")], "/d", "source", "is empty" },
        { [Mount("/d", "bind", "/a", "bind", "idmap")], "/d", "idmap", "idmapped" },
        { [new OciMount("/d", "bind", "/a", ["rbind"], IdMapped: true)], "/d", "uidMappings/gidMappings", "idmapped" },
        { [Mount("/d", "overlay", null, "upperdir=/u,workdir=/w")], "/d", "lowerdir", "is missing" },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public void Mounts_that_cannot_be_served_are_reported(OciMount[] mounts, string destination, string? option, string message)
    {
        var (plan, problems) = Plan(mounts);

        var problem = Assert.Single(problems);
        Assert.Equal((destination, option), (problem.Destination, problem.Option));
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
        // The refused mount is left out; the rootfs and any other mount are planned.
        Assert.Equal(mounts.Length, plan.Mounts.Count);
        Assert.Equal(MountKind.Rootfs, plan.Mounts[0].Kind);
    }

    [Fact]
    public void An_unusable_root_path_is_reported_and_the_rest_still_planned()
    {
        var (plan, problems) = Plan(new OciSpec(Bundle, "", RootReadOnly: false, [Mount("/d", "bind", "/src")]));

        var problem = Assert.Single(problems);
        Assert.Equal(("/", "root.path", "is empty"), (problem.Destination, problem.Option, problem.Message));
        var mount = Assert.Single(plan.Mounts);
        Assert.Equal((1, "/m1/bind"), (mount.Index, mount.Layers[0].StagingPath));
    }
}
