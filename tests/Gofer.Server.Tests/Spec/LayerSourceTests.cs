using Gofer.Native;
using Gofer.Server.Spec;

namespace Gofer.Server.Tests.Spec;

/// <summary>
/// Each layer's source is opened once, one component at a time, following only symlinks nobody
/// but root could have put there, and every check is made on that descriptor: these tests change
/// the paths after the open and show that what was opened is what is checked and kept.
/// </summary>
public sealed class LayerSourceTests : IDisposable
{
    private readonly TempDirectory temp = new();
    private readonly LayerSources sources = new();

    public LayerSourceTests() => temp.Dir("rootfs");

    public void Dispose()
    {
        sources.Dispose();
        temp.Dispose();
    }

    private string At(string relative) => Path.Join(temp.Root, relative);

    private MountPlan PlanOf(params OciMount[] mounts)
    {
        var problems = new List<SpecProblem>();
        var plan = MountPlanner.Plan(new OciSpec(temp.Root, "rootfs", RootReadOnly: false, mounts), problems);
        Assert.Empty(problems);
        return plan;
    }

    private static OciMount Overlay(string lower, string upper, string work) =>
        new("/m", "overlay", "overlay", [$"lowerdir={lower}", $"upperdir={upper}", $"workdir={work}"], IdMapped: false);

    private IReadOnlyList<SpecProblem> Validate(MountPlan plan, IUpperProbe? probe = null) =>
        new SpecValidator(probe).Validate(plan, sources);

    private static FileIdentity IdentityOf(string path)
    {
        ErrnoException.ThrowIfError(Syscalls.StatPath(path, followSymlink: true, out var status), "stat", path);
        return new FileIdentity(status.Device, status.Inode, 0);
    }

    private LayerSource SourceOf(MountPlan plan, LayerRole role) => sources[plan.Layers.Single(l => l.Role == role)];

    [Fact]
    public void Every_layer_is_opened_once_and_kept_for_staging()
    {
        temp.Dir("l");
        temp.Dir("u");
        temp.Dir("w");
        temp.File("hosts");
        var plan = PlanOf(new OciMount("/etc/hosts", "bind", "hosts", ["bind"], IdMapped: false), Overlay("l", "u", "w"));

        Assert.Empty(Validate(plan));

        Assert.Equal(plan.Layers.Count(), sources.Count);
        foreach (var layer in plan.Layers)
        {
            var source = sources[layer];
            Assert.Equal(layer.SourcePath, source.ResolvedPath);
            Assert.True(IdentityOf(layer.SourcePath).IsSameFile(source.Identity), layer.SourcePath);
            Assert.NotEqual(0UL, source.Identity.MountId);
        }

        Assert.Equal(FileStatus.Regular, SourceOf(plan, LayerRole.Bind).Status.Type);
    }

    [Fact]
    public void A_symlink_in_a_spec_path_is_resolved_once_and_the_opened_directory_is_kept()
    {
        // As podman's lowerdirs (overlay/l/ID -> ../ID/diff) or a path under /var/run -> /run.
        temp.Dir("real/sub");
        temp.Symlink("link", At("real"));
        temp.Dir("u");
        temp.Dir("w");
        var plan = PlanOf(Overlay("link/sub", "u", "w"));
        Assert.Empty(Validate(plan));
        var lower = SourceOf(plan, LayerRole.Lower);
        var opened = IdentityOf(At("real/sub"));

        // The path now leads to another directory; the kept descriptor still is the one checked.
        Directory.Move(At("real"), At("old"));
        temp.Dir("real/sub");

        Assert.Equal(At("real/sub"), lower.ResolvedPath);
        Assert.True(lower.Identity.IsSameFile(opened));
        Assert.False(IdentityOf(At("link/sub")).IsSameFile(lower.Identity));
        Assert.Equal(0, Syscalls.Identify(lower.Descriptor, out var now));
        Assert.True(now.IsSameFile(opened));
    }

    public static TheoryData<string, string, string> Replaceable => new()
    {
        // directory (owner, mode), the symlink below it → the symlink the refusal names
        { "65534", "0755", "dir/link" },
        { "0", "0777", "dir/link" },
        { "0", "0775", "dir/link" },
        // A directory of root's below another user's: that user can rename it and put their own.
        { "65534", "0755", "dir/sub/link" },
    };

    [Theory]
    [MemberData(nameof(Replaceable))]
    public void A_symlink_others_could_replace_is_refused_in_one_line(string owner, string mode, string link)
    {
        temp.Dir("elsewhere");
        temp.Dir("dir/sub");
        temp.Symlink(link, At("elsewhere"));
        Tool.Check("chown", owner, At("dir"));
        Tool.Check("chmod", mode, At("dir"));
        var plan = PlanOf(new OciMount("/data", "bind", link, ["rbind"], IdMapped: false));

        var problem = Assert.Single(Validate(plan));

        Assert.Equal(("source", At(link)), (problem.Option, problem.Path));
        Assert.Equal($"leads through the symlink \"{At(link)}\", which users other than root could replace: name what it leads to instead", problem.Message);
        Assert.DoesNotContain('\n', problem.ToString());
        Assert.False(sources.Contains(plan.Layers.Single(l => l.Role == LayerRole.Bind)));
    }

    [Fact]
    public void A_symlink_in_a_sticky_directory_is_followed_when_it_is_roots()
    {
        // As in /tmp: others may add names there, but not rename or remove root's.
        temp.Dir("sticky");
        temp.Dir("elsewhere");
        temp.Symlink("sticky/link", At("elsewhere"));
        Tool.Check("chmod", "1777", At("sticky"));

        var plan = PlanOf(new OciMount("/data", "bind", "sticky/link", ["rbind"], IdMapped: false));

        Assert.Empty(Validate(plan));
        Assert.Equal(At("elsewhere"), SourceOf(plan, LayerRole.Bind).ResolvedPath);
    }

    [Fact]
    public void Ancestry_is_walked_from_the_descriptor_not_the_path()
    {
        temp.Dir("l/inner");
        temp.Dir("w");
        temp.Dir("outside");
        var plan = PlanOf(Overlay("outside", "l/inner", "w"));
        Assert.Empty(Validate(plan));
        var upper = SourceOf(plan, LayerRole.Upper);
        var l = IdentityOf(At("l"));
        Assert.Contains(SourceAncestry.Of(upper, out _)!, a => a.IsSameFile(l));

        // Moved elsewhere after the open: the descriptor's ancestors are where it is now.
        Directory.Move(At("l/inner"), At("outside/inner"));

        var ancestors = SourceAncestry.Of(upper, out var error);
        Assert.Equal(0, error);
        Assert.NotNull(ancestors);
        Assert.DoesNotContain(ancestors, a => a.IsSameFile(l));
        Assert.Equal(IdentityOf(At("outside")), ancestors[0] with { MountId = 0 });
        Assert.Equal(IdentityOf("/"), ancestors[^1] with { MountId = 0 });
    }

    [Fact]
    public void The_upper_probe_is_given_the_opened_upper_and_work()
    {
        temp.Dir("l");
        temp.Dir("u");
        temp.Dir("w");
        var probe = new RecordingUpperProbe();

        Validate(PlanOf(Overlay("l", "u", "w")), probe);

        var (upper, work) = Assert.Single(probe.Sources);
        Assert.True(upper.Identity.IsSameFile(IdentityOf(At("u"))));
        Assert.True(work.Identity.IsSameFile(IdentityOf(At("w"))));
    }

    [Fact]
    public void The_upper_probe_works_through_the_work_descriptor()
    {
        temp.Dir("l");
        temp.Dir("u");
        temp.Dir("w");
        var plan = PlanOf(Overlay("l", "u", "w"));
        Assert.Empty(Validate(plan));

        // Were the probe to use the path, it could make nothing in a workdir moved away.
        Directory.Move(At("w"), At("w-moved"));
        var problems = new UpperFilesystemProbe().Probe(plan.Mounts[1], SourceOf(plan, LayerRole.Upper), SourceOf(plan, LayerRole.Work));

        Assert.Empty(problems);
        Assert.Empty(Directory.GetFileSystemEntries(At("w-moved")));
        Assert.False(Directory.Exists(At("w")));
    }

    [Fact]
    public void The_upper_probe_names_the_workdir_when_nothing_can_be_made_in_it()
    {
        temp.Dir("l");
        temp.Dir("u");
        var plan = PlanOf(Overlay("l", "u", "/proc"));
        var problems = Validate(plan);
        Assert.Contains(problems, p => p.Option == "workdir" && p.Message.StartsWith("is on another filesystem", StringComparison.Ordinal));

        var probed = new UpperFilesystemProbe().Probe(plan.Mounts[1], SourceOf(plan, LayerRole.Upper), SourceOf(plan, LayerRole.Work));

        var problem = Assert.Single(probed);
        Assert.Equal(("workdir", "/proc"), (problem.Option, problem.Path));
        Assert.StartsWith("cannot create a file: ", problem.Message, StringComparison.Ordinal);
    }
}
