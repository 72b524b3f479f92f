namespace Gofer.Sentry.Tests.Differential;

/// <summary>What the comparer forgives, what it catches, and what its reports say.</summary>
public sealed class OutputComparerTests
{
    private const string Reproduce = "GOFER_DIFF_SEED=7 dotnet test tests/Gofer.Sentry.Tests";

    private static readonly DifferentialCase Case = new(
        "seed 7",
        OverlayFlavor.User,
        new LayerSetSpec([Layer.Of(LayerEntry.Dir("/d"), LayerEntry.File("/d/f", "f"))], Layer.Empty),
        [Ops.Lstat("/d"), Ops.Rmdir("/d"), Ops.Tree()],
        Reproduce);

    private const string Tree = """{"ok":true,"entries":[{"path":"/","type":"dir","mode":493,"uid":0,"gid":0,"xattrs":{}},{"path":"/d","type":"dir","mode":493,"uid":0,"gid":0,"xattrs":{}}]}""";

    [Fact]
    public void Identical_answers_compare_equal() =>
        Assert.Null(OutputComparer.Compare(Case, Run(Lstat(4096), Enotempty(), Tree), Run(Lstat(4096), Enotempty(), Tree)));

    [Fact]
    public void A_directory_size_and_the_prose_of_an_error_are_forgiven() =>
        Assert.Null(OutputComparer.Compare(
            Case,
            Run(Lstat(4096), """{"ok":false,"errno":"ENOTEMPTY","error":"rmdir /d: Directory not empty"}""", Tree),
            Run(Lstat(60), """{"ok":false,"errno":"ENOTEMPTY","error":"not empty"}""", Tree)));

    [Fact]
    public void Another_errno_is_reported_with_the_step_both_answers_the_case_and_how_to_rerun_it()
    {
        var report = OutputComparer.Compare(Case, Run(Lstat(4096), Enotempty(), Tree), Run(Lstat(4096), """{"ok":false,"errno":"EBUSY"}""", Tree));

        Assert.NotNull(report);
        Assert.Contains("seed 7 (userxattr)", report, StringComparison.Ordinal);
        Assert.Contains(Reproduce, report, StringComparison.Ordinal);
        Assert.Contains("""First difference, step 2: {"op":"rmdir","path":"/d"}""", report, StringComparison.Ordinal);
        Assert.Contains(Enotempty(), report, StringComparison.Ordinal);
        Assert.Contains("EBUSY", report, StringComparison.Ordinal);
        Assert.Contains("""File("/d/f", "f", Octal.Of("644"))""", report, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_directory_size_is_compared()
    {
        var report = OutputComparer.Compare(Case, Run(Lstat(4096, "file"), Enotempty(), Tree), Run(Lstat(60, "file"), Enotempty(), Tree));

        Assert.Contains("step 1", report, StringComparison.Ordinal);
    }

    [Fact]
    public void A_side_that_stops_early_is_reported_with_its_status_and_stderr()
    {
        var report = OutputComparer.Compare(Case, Run(Lstat(4096), Enotempty(), Tree), new ExecOutput("gofer exec", 3, [Lstat(4096)], "cannot connect"));

        Assert.Contains("The gofer side answered 1 of 3 steps", report, StringComparison.Ordinal);
        Assert.Contains("cannot connect", report, StringComparison.Ordinal);
    }

    [Fact]
    public void Trees_that_differ_are_reported_path_by_path()
    {
        var other = Tree.Replace("""{"path":"/d","type":"dir","mode":493""", """{"path":"/d","type":"dir","mode":448""", StringComparison.Ordinal);

        var report = OutputComparer.Compare(Case, Run(Lstat(4096), Enotempty(), Tree), Run(Lstat(4096), Enotempty(), other));

        Assert.Contains("First difference, step 3", report, StringComparison.Ordinal);
        Assert.Contains("  /d\n    kernel: {\"path\":\"/d\",\"type\":\"dir\",\"mode\":493", report, StringComparison.Ordinal);
        Assert.DoesNotContain("  /\n", report, StringComparison.Ordinal);
    }

    [Fact]
    public void A_kernel_answer_that_contradicts_the_case_is_reported_even_when_both_sides_agree()
    {
        var stated = Case with { Steps = [Ops.Lstat("/d"), Ops.Rmdir("/d").Fails("EBUSY"), Ops.Tree()] };

        var report = OutputComparer.Compare(stated, Run(Lstat(4096), Enotempty(), Tree), Run(Lstat(4096), Enotempty(), Tree));

        Assert.Contains("the kernel contradicts what the case states (errno: expected \"EBUSY\", got \"ENOTEMPTY\")", report, StringComparison.Ordinal);
    }

    [Fact]
    public void The_tree_a_reader_shows_is_compared_with_the_writers_last_answer()
    {
        var writer = Run(Lstat(4096), Enotempty(), Tree);

        Assert.Null(OutputComparer.CompareTree(Case, "reads differently", writer, Run(Tree)));
        var report = OutputComparer.CompareTree(Case, "reads differently", writer, Run(Tree.Replace("\"/d\"", "\"/e\"", StringComparison.Ordinal)));
        Assert.Contains("seed 7 (userxattr): reads differently.", report, StringComparison.Ordinal);
        Assert.Contains("  /e\n    writer: (no answer)\n    reader: {", report, StringComparison.Ordinal);
    }

    private static ExecOutput Run(params string[] lines) => new("exec", 0, lines, "");

    private static string Lstat(int size, string type = "dir") => $$"""{"ok":true,"type":"{{type}}","mode":493,"size":{{size}},"nlink":2,"uid":0,"gid":0}""";

    private static string Enotempty() => """{"ok":false,"errno":"ENOTEMPTY"}""";
}
