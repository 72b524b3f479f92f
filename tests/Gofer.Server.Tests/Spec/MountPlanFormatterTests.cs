using Gofer.Server.Spec;

namespace Gofer.Server.Tests.Spec;

public class MountPlanFormatterTests
{
    private static MountPlan PlanOf(params OciMount[] mounts)
    {
        var problems = new List<SpecProblem>();
        var plan = MountPlanner.Plan(new OciSpec("/b", "rootfs", RootReadOnly: true, mounts), problems);
        Assert.Empty(problems);
        return plan;
    }

    [Fact]
    public void Renders_mounts_layers_skipped_mounts_and_problems()
    {
        var plan = PlanOf(
            new OciMount("/proc", "proc", "proc", [], IdMapped: false),
            new OciMount("/data", "bind", "/srv/data", ["rbind", "ro"], IdMapped: false),
            new OciMount("/m", "overlay", "overlay", ["lowerdir=/l0:/l1,upperdir=/u,workdir=/w", "userxattr"], IdMapped: false));
        var problems = new[] { new SpecProblem("/data", "source", "/srv/data", "does not exist") };

        var text = MountPlanFormatter.Format(new BundleLoadResult(plan, problems));

        Assert.Equal(
            """
            bundle "/b"
            mount 0 "/" rootfs
              layer 1 root "/b/rootfs" at /m0/root ro
            mount 1 "/data" bind
              options: rbind,ro
              layer 2 bind "/srv/data" at /m1/bind ro recursive
            mount 2 "/m" overlay
              options: lowerdir=/l0:/l1,upperdir=/u,workdir=/w,userxattr
              overlay: rw redirect_dir=nofollow xattrs=user.overlay.
              layer 3 lower "/l0" at /m2/lower0 ro
              layer 4 lower "/l1" at /m2/lower1 ro
              layer 5 upper "/u" at /m2/upper rw
              layer 6 work "/w" at /m2/work rw
            skipped "/proc" proc
            problems: 1
              mount /data: source "/srv/data": does not exist

            """.ReplaceLineEndings("\n"),
            text);
    }

    [Fact]
    public void Says_when_there_are_no_problems()
    {
        var text = MountPlanFormatter.Format(new BundleLoadResult(PlanOf(), []));

        Assert.EndsWith("\nproblems: none\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Says_when_there_is_no_plan()
    {
        var problems = new[] { new SpecProblem(null, null, "/b/config.json", "does not exist") };

        var text = MountPlanFormatter.Format(new BundleLoadResult(null, problems));

        Assert.Equal(
            "no plan: the spec could not be read\nproblems: 1\n  spec: \"/b/config.json\": does not exist\n",
            text);
    }

    [Fact]
    public void Control_characters_and_quotes_cannot_forge_lines()
    {
        var plan = PlanOf(new OciMount("/a\nmount 9 \"/x\"", "bind", "/s\"rc", [], IdMapped: false));
        var problems = new[] { new SpecProblem("/a\nb", null, null, "bad\ttab") };

        var text = MountPlanFormatter.Format(new BundleLoadResult(plan, problems));

        Assert.Contains("mount 1 \"/a\\nmount 9 \\\"/x\\\"\" bind\n", text, StringComparison.Ordinal);
        Assert.Contains("layer 2 bind \"/s\\\"rc\" at /m1/bind rw\n", text, StringComparison.Ordinal);
        Assert.Contains("  mount /a\\nb: bad\\ttab\n", text, StringComparison.Ordinal);
        Assert.Equal(7, text.Count(c => c == '\n'));
    }
}
