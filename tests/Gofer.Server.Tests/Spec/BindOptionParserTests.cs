using Gofer.Server.Spec;

namespace Gofer.Server.Tests.Spec;

public class BindOptionParserTests
{
    private static (BindOptionParser.BindOptions? Options, List<SpecProblem> Problems) Parse(params string[] options)
    {
        var problems = new List<SpecProblem>();
        return (BindOptionParser.Parse(options, "/d", problems), problems);
    }

    public static TheoryData<string[], bool, bool> Accepted => new()
    {
        // What runtimes write, each as podman, docker, runc's spec or crun write it.
        { ["bind", "rprivate"], false, false },
        { ["ro", "rprivate", "rbind"], true, true },
        { ["bind", "rprivate", "nosuid", "noexec", "nodev"], false, false },
        { ["rbind", "ro", "rw"], false, true },
        { ["rw", "bind", "ro"], true, false },
        { ["rbind", "rro"], true, true },
        { ["rbind", "rro", "rrw"], false, true },
        { ["rbind", "private"], false, true },
        { ["bind", "slave"], false, false },
        { ["rbind", "rslave"], false, true },
        { ["bind", "shared"], false, false },
        { ["rbind", "rshared"], false, true },
        { ["rbind", "unbindable", "runbindable"], false, true },
        { ["bind", "z"], false, false },
        { ["rbind", "Z", "ro"], true, true },
        { ["rbind", "relatime", "strictatime", "norelatime", "noatime", "nodiratime", "lazytime", "sync", "dirsync"], false, true },
        { ["rbind", "suid", "dev", "exec", "nosymfollow", "rnosuid", "rnodev", "rnoexec", "rnoatime", "rnosymfollow"], false, true },
        { ["rbind", "U", "copy", "nocopy"], false, true },
        { [], false, false },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Options_runtimes_write_are_accepted_for_their_meaning(string[] options, bool readOnly, bool recursive)
    {
        var (parsed, problems) = Parse(options);

        Assert.Empty(problems);
        Assert.Equal(new BindOptionParser.BindOptions(readOnly, recursive), parsed);
    }

    public static TheoryData<string[], string, string> Refused => new()
    {
        { ["rbind", "idmap"], "idmap", "idmapped mounts are not supported" },
        { ["rbind", "ridmap"], "ridmap", "idmapped mounts are not supported" },
        { ["rbind", "idmap=uids=0-1000-10;gids=0-1000-10"], "idmap=uids=0-1000-10;gids=0-1000-10", "idmapped mounts are not supported" },
        { ["rbind", "uidmap=0:1000:10"], "uidmap=0:1000:10", "idmapped mounts are not supported" },
        { ["rbind", "gidmap=0:1000:10"], "gidmap=0:1000:10", "idmapped mounts are not supported" },
        { ["rbind", "O"], "O", "mount of type \"overlay\"" },
        { ["rbind", "tmpcopyup"], "tmpcopyup", "tmpfs" },
        { ["rbind", "mode=755"], "mode=755", "unknown bind mount option" },
        { ["rbind", "frobnicate"], "frobnicate", "unknown bind mount option" },
        { ["rbind", "ro=1"], "ro=1", "takes no value" },
        { ["rbind", "nosuid=1"], "nosuid=1", "unknown bind mount option" },
        // One element is one option, as runc and crun read a bind's options.
        { ["rbind,ro"], "rbind,ro", "unknown bind mount option" },
        { ["rbind", ""], "options", "has an empty option" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Options_the_gofer_cannot_keep_are_refused_by_name(string[] options, string option, string message)
    {
        var (parsed, problems) = Parse(options);

        Assert.Null(parsed);
        var problem = Assert.Single(problems);
        Assert.Equal(("/d", option), (problem.Destination, problem.Option));
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("z")]
    [InlineData("Z")]
    [InlineData("rslave")]
    [InlineData("rnoexec")]
    [InlineData("rro")]
    public void An_overlay_takes_the_same_runtime_flags(string option)
    {
        var problems = new List<SpecProblem>();
        Assert.NotNull(OverlayOptionParser.Parse(["lowerdir=/l", option], "/b", "/m", problems));
        Assert.Empty(problems);
    }

    [Theory]
    [InlineData("idmap", "idmapped")]
    [InlineData("O", "overlay")]
    [InlineData("tmpcopyup", "tmpfs")]
    public void An_overlay_refuses_the_same_runtime_options(string option, string message)
    {
        var problems = new List<SpecProblem>();
        Assert.Null(OverlayOptionParser.Parse(["lowerdir=/l", option], "/b", "/m", problems));
        var problem = Assert.Single(problems);
        Assert.Equal(option, problem.Option);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
    }
}
