using Gofer.Server.Spec;

namespace Gofer.Server.Tests.Spec;

public sealed class SpecValidatorTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public SpecValidatorTests() => temp.Dir("rootfs");

    public void Dispose() => temp.Dispose();

    private MountPlan PlanOf(params OciMount[] mounts)
    {
        var problems = new List<SpecProblem>();
        var plan = MountPlanner.Plan(new OciSpec(temp.Root, "rootfs", RootReadOnly: false, mounts), problems);
        Assert.Empty(problems);
        return plan;
    }

    private static OciMount Bind(string destination, string source) =>
        new(destination, "bind", source, ["rbind"], IdMapped: false);

    // Relative layer paths are resolved against the bundle, which is the temp directory here.
    private static OciMount Overlay(string lower, string upper, string work, string destination = "/m") =>
        new(destination, "overlay", "overlay", [$"lowerdir={lower}", $"upperdir={upper}", $"workdir={work}"], IdMapped: false);

    private static IReadOnlyList<SpecProblem> Validate(MountPlan plan, IUpperProbe? probe = null)
    {
        using var sources = new LayerSources();
        return new SpecValidator(probe).Validate(plan, sources);
    }

    private string At(string relative) => Path.Join(temp.Root, relative);

    [Fact]
    public void A_sound_plan_has_no_problems()
    {
        temp.Dir("data");
        temp.File("hosts", "127.0.0.1 localhost\n");
        temp.Dir("l0");
        temp.Dir("l1");
        temp.Dir("u");
        temp.Dir("w");

        var plan = PlanOf(Bind("/data", "data"), Bind("/etc/hosts", "hosts"), Overlay("l0:l1", "u", "w"));

        Assert.Empty(Validate(plan));
    }

    [Fact]
    public void Every_missing_path_is_reported_with_its_option()
    {
        Directory.Delete(At("rootfs"));
        temp.Dir("l0");

        var problems = Validate(PlanOf(Bind("/data", "nodata"), Overlay("l0:nolower", "noupper", "nowork")));

        Assert.Equal(
            [
                ("/", "root.path", At("rootfs")),
                ("/data", "source", At("nodata")),
                ("/m", "lowerdir", At("nolower")),
                ("/m", "upperdir", At("noupper")),
                ("/m", "workdir", At("nowork")),
            ],
            problems.Select(p => (p.Destination, p.Option, p.Path)));
        Assert.All(problems, p => Assert.Equal("does not exist", p.Message));
    }

    [Fact]
    public void A_dangling_symlink_does_not_exist()
    {
        temp.Symlink("dangling", At("nowhere"));

        var problem = Assert.Single(Validate(PlanOf(Bind("/d", "dangling"))));

        Assert.Equal(("source", At("dangling"), "does not exist"), (problem.Option, problem.Path, problem.Message));
    }

    [Fact]
    public void A_path_through_a_file_is_reported()
    {
        temp.File("file");

        var problem = Assert.Single(Validate(PlanOf(Bind("/d", "file/sub"))));

        Assert.Equal(("source", At("file/sub")), (problem.Option, problem.Path));
        Assert.Equal("Not a directory", problem.Message);
    }

    [Fact]
    public void Only_a_bind_source_may_be_a_regular_file()
    {
        temp.File("f");
        temp.Dir("u");
        temp.Dir("w");

        var problems = Validate(PlanOf(Bind("/file", "f"), Overlay("f", "u", "w")));

        var problem = Assert.Single(problems);
        Assert.Equal(("/m", "lowerdir", At("f"), "is a regular file, not a directory"), (problem.Destination, problem.Option, problem.Path, problem.Message));
    }

    [Fact]
    public void A_rootfs_that_is_a_file_is_reported()
    {
        Directory.Delete(At("rootfs"));
        temp.File("rootfs");

        var problem = Assert.Single(Validate(PlanOf()));

        Assert.Equal(("root.path", "is a regular file, not a directory"), (problem.Option, problem.Message));
    }

    [Fact]
    public void Binds_of_devices_sockets_and_fifos_are_accepted_to_be_served_stat_only()
    {
        Service.OnDisk.Mknod(At("api.sock"), Native.FileStatus.Socket | 420 /* 0644 */);
        Tool.Check("mkfifo", At("fifo"));

        Assert.Empty(Validate(PlanOf(Bind("/dev/null", "/dev/null"), Bind("/run/api.sock", "api.sock"), Bind("/fifo", "fifo"))));
    }

    [Fact]
    public void A_lower_layer_names_the_type_it_has_instead_of_a_directory()
    {
        temp.Dir("u");
        temp.Dir("w");
        Tool.Check("mkfifo", At("fifo"));

        var problems = Validate(PlanOf(Overlay("/dev/null:fifo", "u", "w")));

        Assert.Equal(
            [("/dev/null", "is a character device, not a directory"), (At("fifo"), "is a FIFO, not a directory")],
            problems.Select(p => (p.Path, p.Message)));
    }

    public static TheoryData<string, string, string, string, string, string> Overlaps => new()
    {
        // lower, upper, work → the option at fault, its path, what is wrong
        { "l", "l/up", "w", "upperdir", "l/up", "is inside lowerdir" },
        { "u/l", "u", "w", "lowerdir", "u/l", "is inside upperdir" },
        { "x", "x", "w", "upperdir", "x", "is the same directory as lowerdir" },
        { "l", "u", "u/w", "workdir", "u/w", "is inside upperdir" },
        { "l", "w/u", "w", "upperdir", "w/u", "is inside workdir" },
        { "l", "u", "u", "workdir", "u", "is the same directory as upperdir" },
        { "l", "u", "l/w", "workdir", "l/w", "is inside lowerdir" },
        { "w/l", "u", "w", "lowerdir", "w/l", "is inside workdir" },
        // Only the second lower overlaps: every lower is checked.
        { "a:u/b", "u", "w", "lowerdir", "u/b", "is inside upperdir" },
    };

    [Theory]
    [MemberData(nameof(Overlaps))]
    public void Upper_and_work_must_be_apart_from_every_other_layer(
        string lower, string upper, string work, string option, string path, string message)
    {
        foreach (var dir in lower.Split(':').Append(upper).Append(work))
        {
            temp.Dir(dir);
        }

        var problem = Assert.Single(Validate(PlanOf(Overlay(lower, upper, work))));

        Assert.Equal(("/m", option, At(path)), (problem.Destination, problem.Option, problem.Path));
        Assert.StartsWith(message, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lowers_may_overlap_each_other_and_be_symlinks()
    {
        temp.Dir("a/b");
        temp.Symlink("to-a", At("a"));
        temp.Dir("u");
        temp.Dir("w");

        Assert.Empty(Validate(PlanOf(Overlay("a:a/b:to-a", "u", "w"))));
    }

    [Fact]
    public void A_symlink_into_a_lower_is_caught()
    {
        temp.Dir("lower/deep");
        temp.Dir("w");
        temp.Symlink("innocent", At("lower/deep"));

        var problem = Assert.Single(Validate(PlanOf(Overlay("lower", "innocent", "w"))));

        Assert.Equal(("upperdir", At("innocent")), (problem.Option, problem.Path));
        Assert.Contains("is inside lowerdir", problem.Message, StringComparison.Ordinal);
        Assert.Contains(At("lower/deep"), problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dot_dot_after_a_symlink_is_resolved_physically()
    {
        // The planner normalises ".." lexically; a hand-made plan shows that the validator does
        // not rely on it: link/.. is the parent of the link's target, here inside the lower.
        temp.Dir("lower/deep");
        temp.Dir("lower/up");
        temp.Dir("w");
        temp.Symlink("link", At("lower/deep"));
        var upper = At("link/../up");
        var overlay = new OverlayOptions([At("lower")], upper, At("w"), UserXattr: false, RedirectDir.Off, ReadOnly: false);
        var plan = new MountPlan(temp.Root, [
            new PlannedMount(1, "/m", MountKind.Overlay, [], overlay, [
                new LayerPlan(1, LayerRole.Lower, At("lower"), "/m1/lower0", ReadOnly: true, Recursive: false),
                new LayerPlan(2, LayerRole.Upper, upper, "/m1/upper", ReadOnly: false, Recursive: false),
                new LayerPlan(3, LayerRole.Work, At("w"), "/m1/work", ReadOnly: false, Recursive: false),
            ]),
        ], []);

        var problem = Assert.Single(Validate(plan));

        Assert.Equal(("upperdir", upper), (problem.Option, problem.Path));
        Assert.Contains("is inside lowerdir", problem.Message, StringComparison.Ordinal);
        Assert.Contains(At("lower/up"), problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Work_on_another_filesystem_than_upper_is_refused()
    {
        temp.Dir("l");
        temp.Dir("u");

        // procfs is never the filesystem of the temp directory.
        var problem = Assert.Single(Validate(PlanOf(Overlay("l", "u", "/proc"))));

        Assert.Equal(("workdir", "/proc"), (problem.Option, problem.Path));
        Assert.Equal($"is on another filesystem than upperdir \"{At("u")}\"", problem.Message);
    }

    [Fact]
    public void Problems_of_every_mount_are_collected()
    {
        temp.Dir("l");
        temp.Dir("u/w");

        var problems = Validate(PlanOf(Overlay("l", "l", "u", "/one"), Bind("/two", "missing"), Overlay("l", "u", "u/w", "/three")));

        Assert.Equal(
            [("/one", "upperdir"), ("/two", "source"), ("/three", "workdir")],
            problems.Select(p => (p.Destination!, p.Option!)));
    }

    [Fact]
    public void The_upper_probe_sees_each_overlay_whose_upper_exists()
    {
        temp.Dir("l");
        temp.Dir("u1");
        temp.Dir("u2");
        temp.Dir("w1");
        temp.Dir("w2");
        temp.Dir("w3");
        var probe = new RecordingUpperProbe();
        var plan = PlanOf(
            Overlay("l", "u1", "w1", "/first"),
            new OciMount("/lower-only", "overlay", "overlay", ["lowerdir=l"], IdMapped: false),
            Overlay("l", "missing", "w3", "/no-upper"),
            Overlay("l", "u2", "w2", "/second"));

        var problems = Validate(plan, probe);

        Assert.Equal(["/first", "/second"], probe.Probed.Select(m => m.Destination));
        Assert.Equal(
            [("/first", "probed"), ("/no-upper", "does not exist"), ("/second", "probed")],
            problems.Select(p => (p.Destination!, p.Message)));
    }
}
