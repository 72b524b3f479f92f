using System.Text;
using Gofer.Server.Spec;

namespace Gofer.Server.Tests.Spec;

public class OciSpecReaderTests
{
    private const string Bundle = "/bundle";

    private static (OciSpec? Spec, List<SpecProblem> Problems) Parse(string json)
    {
        var problems = new List<SpecProblem>();
        var spec = OciSpecReader.Parse(Encoding.UTF8.GetBytes(json), Bundle, problems);
        return (spec, problems);
    }

    [Fact]
    public void Reads_root_and_mounts()
    {
        var (spec, problems) = Parse("""
            {
              "ociVersion": "1.2.0",
              "process": { "args": ["sh"] },
              "root": { "path": "rootfs", "readonly": true },
              "mounts": [
                { "destination": "/proc", "type": "proc", "source": "proc" },
                { "destination": "/data/", "type": "bind", "source": "/srv/data", "options": ["rbind", "ro"] },
                { "destination": "/m", "type": "overlay", "options": ["lowerdir=/l"], "uidMappings": [{ "containerID": 0, "hostID": 1000, "size": 1 }] },
                { "destination": "/x", "type": null, "source": null, "options": null }
              ]
            }
            """);

        Assert.Empty(problems);
        Assert.NotNull(spec);
        Assert.Equal(Bundle, spec.BundlePath);
        Assert.Equal("rootfs", spec.RootPath);
        Assert.True(spec.RootReadOnly);
        Assert.Collection(
            spec.Mounts,
            m => Assert.Equivalent(new OciMount("/proc", "proc", "proc", [], false), m, strict: true),
            // The destination is normalised: no trailing slash.
            m => Assert.Equivalent(new OciMount("/data", "bind", "/srv/data", ["rbind", "ro"], false), m, strict: true),
            m => Assert.True(m.IdMapped),
            // JSON null reads as absent.
            m => Assert.Equivalent(new OciMount("/x", null, null, [], false), m, strict: true));
    }

    [Fact]
    public void Readonly_and_mounts_are_optional()
    {
        var (spec, problems) = Parse("""{ "root": { "path": "/abs/rootfs" } }""");

        Assert.Empty(problems);
        Assert.NotNull(spec);
        Assert.False(spec.RootReadOnly);
        Assert.Empty(spec.Mounts);
    }

    [Fact]
    public void Malformed_json_is_refused_with_its_position()
    {
        var (spec, problems) = Parse("{\n  \"root\": {\n    \"path\" \"rootfs\"\n  }\n}");

        Assert.Null(spec);
        var problem = Assert.Single(problems);
        Assert.Contains("malformed JSON", problem.Message, StringComparison.Ordinal);
        // JsonException counts lines from 0: the third line is line 2.
        Assert.Contains("LineNumber: 2", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_given_twice_is_refused()
    {
        var (spec, problems) = Parse("""{ "root": { "path": "a", "path": "b" } }""");

        Assert.Null(spec);
        var problem = Assert.Single(problems);
        Assert.Contains("malformed JSON", problem.Message, StringComparison.Ordinal);
        Assert.Contains("path", problem.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> RootProblems => new()
    {
        { "[]", "", "must hold a JSON object" },
        { "{}", "root", "is missing" },
        { """{ "root": null }""", "root", "is missing" },
        { """{ "root": "rootfs" }""", "root", "must be an object" },
        { """{ "root": {} }""", "root.path", "is missing" },
        { """{ "root": { "path": 7 } }""", "root.path", "must be a string" },
        { """{ "root": { "path": "r", "readonly": "yes" } }""", "root.readonly", "must be true or false" },
    };

    [Theory]
    [MemberData(nameof(RootProblems))]
    public void A_spec_without_a_usable_root_is_refused(string json, string option, string message)
    {
        var (spec, problems) = Parse(json);

        Assert.Null(spec);
        var problem = Assert.Single(problems);
        Assert.Equal(option, problem.Option ?? "");
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string?, string> MountProblems => new()
    {
        { """ "mounts": {} """, "mounts", null, "must be an array" },
        { """ "mounts": ["/data"] """, "mounts[0]", null, "must be an object" },
        { """ "mounts": [{ "type": "tmpfs" }] """, "mounts[0].destination", null, "is missing" },
        { """ "mounts": [{ "destination": 1 }] """, "mounts[0].destination", null, "must be a string" },
        { """ "mounts": [{ "destination": "" }] """, "mounts[0].destination", "", "is empty" },
        { """ "mounts": [{ "destination": "/ok", "type": "tmpfs" }, { "destination": "data", "type": "tmpfs" }] """, "mounts[1].destination", "data", "must be an absolute path" },
        { """ "mounts": [{ "destination": "/a/../etc", "type": "bind" }] """, "mounts[0].destination", "/a/../etc", "must not contain \"..\"" },
        { """ "mounts": [{ "destination": "/a\u0000b" }] """, "mounts[0].destination", "/a\0b", "NUL" },
        { """ "mounts": [{ "destination": "/d", "type": 5 }] """, "mounts[0].type", "/d", "must be a string" },
        { """ "mounts": [{ "destination": "/d", "source": [] }] """, "mounts[0].source", "/d", "must be a string" },
        { """ "mounts": [{ "destination": "/d", "options": "ro" }] """, "mounts[0].options", "/d", "must be an array of strings" },
        { """ "mounts": [{ "destination": "/d", "options": ["ro", 1] }] """, "mounts[0].options[1]", "/d", "must be a string" },
    };

    [Theory]
    [MemberData(nameof(MountProblems))]
    public void A_bad_mount_is_named_by_its_json_path_and_left_out(string mountsJson, string option, string? destination, string message)
    {
        var (spec, problems) = Parse($$"""{ "root": { "path": "rootfs" }, {{mountsJson}} }""");

        // The root is fine, so the spec is still read and the rest can be planned and reported.
        Assert.NotNull(spec);
        var problem = Assert.Single(problems);
        Assert.Equal(option, problem.Option);
        Assert.Equal(destination, problem.Destination);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(spec.Mounts, m => m.Destination == destination);
    }

    [Fact]
    public void Problems_of_root_and_mounts_are_reported_together()
    {
        var (spec, problems) = Parse("""{ "mounts": [{ "destination": "rel" }, { "destination": "/d", "options": [true] }] }""");

        Assert.Null(spec);
        Assert.Equal(["root", "mounts[0].destination", "mounts[1].options[0]"], problems.Select(p => p.Option));
    }

    [Fact]
    public void A_missing_config_json_is_named_by_its_path()
    {
        using var temp = new TempDirectory();
        var problems = new List<SpecProblem>();

        Assert.Null(OciSpecReader.Read(temp.Root, problems));

        var problem = Assert.Single(problems);
        Assert.Equal(Path.Join(temp.Root, "config.json"), problem.Path);
        Assert.Equal("does not exist", problem.Message);
    }

    [Fact]
    public void An_unreadable_config_json_is_reported()
    {
        using var temp = new TempDirectory();
        temp.Dir("config.json");
        var problems = new List<SpecProblem>();

        Assert.Null(OciSpecReader.Read(temp.Root, problems));

        var problem = Assert.Single(problems);
        Assert.Equal(Path.Join(temp.Root, "config.json"), problem.Path);
        Assert.StartsWith("cannot be read", problem.Message, StringComparison.Ordinal);
    }
}
