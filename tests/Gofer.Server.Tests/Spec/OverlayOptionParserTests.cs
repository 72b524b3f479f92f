using Gofer.Server.Spec;

namespace Gofer.Server.Tests.Spec;

public class OverlayOptionParserTests
{
    private const string Bundle = "/bundle";
    private const string Destination = "/merged";

    private static (OverlayOptions? Options, List<SpecProblem> Problems) Parse(params string[] options)
    {
        var problems = new List<SpecProblem>();
        var parsed = OverlayOptionParser.Parse(options, Bundle, Destination, problems);
        return (parsed, problems);
    }

    private static OverlayOptions ParseValid(params string[] options)
    {
        var (parsed, problems) = Parse(options);
        Assert.Empty(problems);
        return Assert.IsType<OverlayOptions>(parsed);
    }

    public static TheoryData<string[], string[]> LowerDirCases => new()
    {
        // Leftmost is the top layer, and the order is kept.
        { ["lowerdir=/top:/middle:/bottom"], ["/top", "/middle", "/bottom"] },
        // \: keeps a colon inside one entry.
        { [@"lowerdir=/a\:b:/c"], ["/a:b", "/c"] },
        // \, keeps a comma inside the option instead of ending it.
        { [@"lowerdir=/a\,b:/c"], ["/a,b", "/c"] },
        // \\ is one backslash, and the colon after it still separates.
        { [@"lowerdir=/a\\:/c"], [@"/a\", "/c"] },
        // A backslash before any other character stands for that character.
        { [@"lowerdir=/a\b"], ["/ab"] },
        // Relative entries are resolved against the bundle.
        { ["lowerdir=l0:./l1/:../outside"], ["/bundle/l0", "/bundle/l1", "/outside"] },
        // Paths are normalised without touching the disk.
        { ["lowerdir=//a/./b//:/c/d/../e"], ["/a/b", "/c/e"] },
        // One spec element may hold a whole comma-joined option string.
        { ["lowerdir=/a:/b,upperdir=/u,workdir=/w"], ["/a", "/b"] },
        // Empty options between commas are skipped, as by the kernel.
        { ["lowerdir=/a,,ro"], ["/a"] },
    };

    [Theory]
    [MemberData(nameof(LowerDirCases))]
    public void Lower_dirs_are_split_unescaped_and_resolved_top_first(string[] options, string[] expected)
    {
        Assert.Equal(expected, ParseValid(options).LowerDirs);
    }

    [Theory]
    [InlineData(@"upperdir=/u\:1", @"workdir=/w\,2", "/u:1", "/w,2")]
    [InlineData(@"upperdir=up\\per", "workdir=./work/", @"/bundle/up\per", "/bundle/work")]
    [InlineData(@"upperdir=/x/../u", "workdir=//w", "/u", "/w")]
    public void Upper_and_work_dirs_are_unescaped_and_resolved(string upper, string work, string expectedUpper, string expectedWork)
    {
        var parsed = ParseValid("lowerdir=/l", upper, work);

        Assert.Equal(expectedUpper, parsed.UpperDir);
        Assert.Equal(expectedWork, parsed.WorkDir);
        Assert.False(parsed.ReadOnly);
    }

    [Fact]
    public void Colon_in_upperdir_is_part_of_the_path()
    {
        Assert.Equal("/u:v", ParseValid("lowerdir=/l", "upperdir=/u:v", "workdir=/w").UpperDir);
    }

    [Theory]
    [InlineData(new[] { "lowerdir=/l" }, true)]
    [InlineData(new[] { "lowerdir=/l", "rw" }, true)]
    [InlineData(new[] { "lowerdir=/l", "upperdir=/u", "workdir=/w" }, false)]
    [InlineData(new[] { "lowerdir=/l", "upperdir=/u", "workdir=/w", "ro" }, true)]
    [InlineData(new[] { "lowerdir=/l,upperdir=/u,workdir=/w,ro,rw" }, false)]
    [InlineData(new[] { "lowerdir=/l,upperdir=/u,workdir=/w,rw,ro" }, true)]
    public void Overlay_is_read_only_without_upper_or_with_a_final_ro(string[] options, bool readOnly)
    {
        Assert.Equal(readOnly, ParseValid(options).ReadOnly);
    }

    [Theory]
    [InlineData(new[] { "lowerdir=/l" }, RedirectDir.On)]
    [InlineData(new[] { "lowerdir=/l", "userxattr" }, RedirectDir.NoFollow)]
    [InlineData(new[] { "lowerdir=/l", "userxattr", "redirect_dir=nofollow" }, RedirectDir.NoFollow)]
    [InlineData(new[] { "lowerdir=/l", "redirect_dir=on" }, RedirectDir.On)]
    [InlineData(new[] { "lowerdir=/l", "redirect_dir=off" }, RedirectDir.Off)]
    [InlineData(new[] { "lowerdir=/l", "redirect_dir=follow" }, RedirectDir.Follow)]
    [InlineData(new[] { "lowerdir=/l", "redirect_dir=nofollow" }, RedirectDir.NoFollow)]
    [InlineData(new[] { "lowerdir=/l,redirect_dir=on,redirect_dir=nofollow" }, RedirectDir.NoFollow)]
    public void Redirect_dir_defaults_to_on_or_with_userxattr_nofollow_and_the_last_one_wins(string[] options, RedirectDir expected)
    {
        Assert.Equal(expected, ParseValid(options).RedirectDir);
    }

    [Fact]
    public void Userxattr_moves_the_overlay_xattrs_to_the_user_namespace()
    {
        var plain = ParseValid("lowerdir=/l");
        var user = ParseValid("lowerdir=/l", "userxattr", "redirect_dir=nofollow");

        Assert.False(plain.UserXattr);
        Assert.Equal("trusted.overlay.", plain.XattrPrefix);
        Assert.True(user.UserXattr);
        Assert.Equal("user.overlay.", user.XattrPrefix);
    }

    [Theory]
    [InlineData("nosuid")]
    [InlineData("nodev")]
    [InlineData("noexec")]
    [InlineData("relatime")]
    [InlineData("noatime")]
    [InlineData("strictatime")]
    [InlineData("nodiratime")]
    [InlineData("sync")]
    [InlineData("dirsync")]
    [InlineData("rprivate")]
    [InlineData("index=off")]
    [InlineData("metacopy=off")]
    [InlineData("nfs_export=off")]
    [InlineData("xino=off")]
    [InlineData("xino=auto")]
    [InlineData("uuid=off")]
    [InlineData("uuid=null")]
    [InlineData("uuid=auto")]
    [InlineData("verity=off")]
    public void Harmless_options_are_accepted_and_change_nothing(string option)
    {
        Assert.Equivalent(ParseValid("lowerdir=/l"), ParseValid("lowerdir=/l", option), strict: true);
    }

    public static TheoryData<string[], string, string> Refusals => new()
    {
        { ["lowerdir=/l", "metacopy=on"], "metacopy=on", "not supported" },
        { ["lowerdir=/l", "index=on"], "index=on", "not supported" },
        { ["lowerdir=/l", "nfs_export=on"], "nfs_export=on", "not supported" },
        { ["lowerdir=/l", "xino=on"], "xino=on", "not supported" },
        { ["lowerdir=/l", "uuid=on"], "uuid=on", "not supported" },
        { ["lowerdir=/l", "verity=on"], "verity=on", "not supported" },
        { ["lowerdir=/l", "verity=require"], "verity=require", "not supported" },
        { ["lowerdir=/l", "volatile"], "volatile", "not supported" },
        { ["lowerdir=/l", "default_permissions"], "default_permissions", "not supported" },
        { ["lowerdir=/l", "lowerdir+=/m"], "lowerdir+=/m", "not supported" },
        { ["lowerdir=/l", "datadir+=/d"], "datadir+=/d", "not supported" },
        // A refused value stays refused even when a later option switches it off again.
        { ["lowerdir=/l,metacopy=on,metacopy=off"], "metacopy=on", "not supported" },
        { ["lowerdir=/l", "index=maybe"], "index=maybe", "expects on or off" },
        { ["lowerdir=/l", "xino=yes"], "xino=yes", "expects off, auto or on" },
        { ["lowerdir=/l", "uuid=random"], "uuid=random", "expects off, null, auto or on" },
        { ["lowerdir=/l", "verity=strict"], "verity=strict", "expects off, on or require" },
        { ["lowerdir=/l", "index"], "index", "needs a value" },
        { ["lowerdir=/a::/b"], "lowerdir", "data-only" },
        { ["lowerdir=/a:::/b"], "lowerdir", "data-only" },
        { ["lowerdir=:/a"], "lowerdir", "empty entry" },
        { ["lowerdir=/a:"], "lowerdir", "empty entry" },
        { ["lowerdir="], "lowerdir", "has no value" },
        { ["lowerdir"], "lowerdir", "has no value" },
        { [@"lowerdir=/a\"], "lowerdir", "lone backslash" },
        { ["lowerdir=/a:/b\0c"], "lowerdir", "NUL" },
        { ["lowerdir=/a", "lowerdir=/b"], "lowerdir", "more than once" },
        { ["lowerdir=/l,upperdir=/u,workdir=/w,upperdir=/v"], "upperdir", "more than once" },
        { ["lowerdir=/l,upperdir=/u,workdir=/w,workdir=/x"], "workdir", "more than once" },
        { ["lowerdir=/l", "upperdir=", "workdir=/w"], "upperdir", "has no value" },
        { ["lowerdir=/l", "upperdir=/u", "workdir="], "workdir", "has no value" },
        { ["lowerdir=/l", @"upperdir=/u\", "workdir=/w"], "upperdir", "lone backslash" },
        { ["lowerdir=/l", "upperdir=/u"], "workdir", "missing" },
        { ["lowerdir=/l", "workdir=/w"], "upperdir", "missing" },
        { ["upperdir=/u", "workdir=/w"], "lowerdir", "missing" },
        { ["lowerdir=/l", "redirect_dir=sometimes"], "redirect_dir=sometimes", "expects on, off, follow or nofollow" },
        { ["lowerdir=/l", "redirect_dir="], "redirect_dir=", "expects on, off, follow or nofollow" },
        { ["lowerdir=/l", "userxattr", "redirect_dir=on"], "redirect_dir=on", "userxattr" },
        { ["lowerdir=/l", "redirect_dir=follow", "userxattr"], "redirect_dir=follow", "userxattr" },
        { ["lowerdir=/l", "userxattr", "redirect_dir=off"], "redirect_dir=off", "userxattr" },
        { ["lowerdir=/l", "userxattr=1"], "userxattr=1", "takes no value" },
        { ["lowerdir=/l", "ro=yes"], "ro=yes", "takes no value" },
        { ["lowerdir=/l", "frobnicate"], "frobnicate", "unknown overlay option" },
        { ["lowerdir=/l", "frob=nicate"], "frob=nicate", "unknown overlay option" },
        { ["lowerdir=/l", "nosuid=1"], "nosuid=1", "unknown overlay option" },
        { ["lowerdir=/l", "bind"], "bind", "unknown overlay option" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Refused_options_are_named_in_the_problem(string[] options, string option, string message)
    {
        var (parsed, problems) = Parse(options);

        Assert.Null(parsed);
        var problem = Assert.Single(problems, p => p.Option == option);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
        Assert.Equal(Destination, problem.Destination);
        Assert.Contains(option, problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void At_most_500_lower_dirs_are_accepted()
    {
        static string Lowers(int count) => "lowerdir=" + string.Join(':', Enumerable.Range(0, count).Select(i => $"/l{i}"));

        Assert.Equal(OverlayOptionParser.MaxLowerDirs, ParseValid(Lowers(500)).LowerDirs.Count);

        var (parsed, problems) = Parse(Lowers(501));
        Assert.Null(parsed);
        var problem = Assert.Single(problems);
        Assert.Equal("lowerdir", problem.Option);
        Assert.Contains("501", problem.Message, StringComparison.Ordinal);
        Assert.Contains("500", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_not_just_the_first()
    {
        var (parsed, problems) = Parse("lowerdir=/a::/b", "metacopy=on,frobnicate", "upperdir=/u");

        Assert.Null(parsed);
        Assert.Equal(
            ["metacopy=on", "frobnicate", "lowerdir", "workdir"],
            problems.Select(p => p.Option));
    }
}
