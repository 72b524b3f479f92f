using Gofer.Server.Spec;

namespace Gofer.Server.Tests.Spec;

public sealed class BundleLoaderTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private void WriteConfig(string json) => temp.File("config.json", json);

    [Fact]
    public void A_sound_bundle_can_be_served()
    {
        temp.Dir("rootfs");
        temp.Dir("layers/l0");
        temp.Dir("layers/l1");
        temp.Dir("state/upper");
        temp.Dir("state/work");
        WriteConfig("""
            {
              "root": { "path": "rootfs", "readonly": true },
              "mounts": [
                { "destination": "/proc", "type": "proc", "source": "proc" },
                { "destination": "/app", "type": "overlay", "source": "overlay",
                  "options": ["lowerdir=layers/l0:layers/l1", "upperdir=state/upper", "workdir=state/work", "nodev"] }
              ]
            }
            """);

        using var result = BundleLoader.Load(temp.Root);

        Assert.Empty(result.Problems);
        Assert.True(result.CanServe);
        Assert.NotNull(result.Plan);
        Assert.Equal(temp.Root, result.Plan.BundlePath);
        Assert.Equal(
            [temp.Root + "/rootfs", temp.Root + "/layers/l0", temp.Root + "/layers/l1", temp.Root + "/state/upper", temp.Root + "/state/work"],
            result.Plan.Layers.Select(l => l.SourcePath));
        Assert.Equal([new SkippedMount("/proc", "proc")], result.Plan.Skipped);
        Assert.All(result.Plan.Layers, layer => Assert.False(result.Sources[layer].Descriptor.IsInvalid));
    }

    [Fact]
    public void Relative_layer_paths_are_checked_after_resolving_against_the_bundle()
    {
        temp.Dir("rootfs");
        temp.Dir("layers/l0/up");
        temp.Dir("work");
        WriteConfig("""
            {
              "root": { "path": "rootfs" },
              "mounts": [
                { "destination": "/app", "type": "overlay", "options": ["lowerdir=./layers/l0", "upperdir=layers//l0/up/", "workdir=work"] }
              ]
            }
            """);

        using var result = BundleLoader.Load(temp.Root);

        Assert.False(result.CanServe);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(("/app", "upperdir", temp.Root + "/layers/l0/up"), (problem.Destination, problem.Option, problem.Path));
        Assert.Equal($"is inside lowerdir \"{temp.Root}/layers/l0\"", problem.Message);
    }

    [Fact]
    public void Problems_of_planning_and_of_the_disk_are_reported_together()
    {
        temp.Dir("rootfs");
        WriteConfig("""
            {
              "root": { "path": "rootfs" },
              "mounts": [
                { "destination": "/a", "type": "overlay", "options": ["lowerdir=/l", "metacopy=on"] },
                { "destination": "/b", "type": "bind", "source": "missing" },
                { "destination": "relative", "type": "tmpfs" }
              ]
            }
            """);

        using var result = BundleLoader.Load(temp.Root);

        Assert.NotNull(result.Plan);
        Assert.False(result.CanServe);
        Assert.Equal(
            ["mounts[2].destination", "metacopy=on", "source"],
            result.Problems.Select(p => p.Option));
    }

    [Fact]
    public void A_bundle_without_config_json_has_no_plan()
    {
        using var result = BundleLoader.Load(temp.Root);

        Assert.Null(result.Plan);
        Assert.False(result.CanServe);
        Assert.Equal(temp.Root + "/config.json", Assert.Single(result.Problems).Path);
    }

    [Fact]
    public void A_malformed_config_json_has_no_plan()
    {
        WriteConfig("{ \"root\": ");

        using var result = BundleLoader.Load(temp.Root);

        Assert.Null(result.Plan);
        Assert.Contains("malformed JSON", Assert.Single(result.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_probe_is_passed_on_to_the_validator()
    {
        temp.Dir("rootfs");
        temp.Dir("l");
        temp.Dir("u");
        temp.Dir("w");
        WriteConfig("""{ "root": { "path": "rootfs" }, "mounts": [{ "destination": "/o", "type": "overlay", "options": ["lowerdir=l,upperdir=u,workdir=w"] }] }""");
        var probe = new RecordingUpperProbe();

        using var result = BundleLoader.Load(temp.Root, probe);

        Assert.Equal("/o", Assert.Single(probe.Probed).Destination);
        Assert.Equal("probed", Assert.Single(result.Problems).Message);
    }
}
