using System.Globalization;
using System.Text.Json;
using Gofer.Native;
using Gofer.Sentry.Launch;
using Gofer.Sentry.Tests.Differential;
using Gofer.Server.Spec;
using Gofer.Server.Tests.EndToEnd;
using Xunit.Abstractions;

namespace Gofer.Sentry.Tests.Crash;

/// <summary>
/// Crash safety of the overlay's changes: `gofer exec` copies up, renames and unlinks large lower
/// files through a gofer that is killed with SIGKILL at a random instant; a new gofer on the same
/// bundle must then show every file whole — its old state or its new one, never a mix, never a
/// stray name — and the kernel's overlayfs must mount the upper and show the same.
/// </summary>
/// <remarks>
/// The kill lands after a seeded number of answers plus a seeded delay of a few milliseconds, so
/// mostly inside the copy-up of the next request. That delay is the experiment, not
/// synchronization: the assertion is an invariant that holds at every instant, so wherever the
/// kill lands, the test means the same. What it asserts is exact: every request answered ok took
/// effect, no request after the one in flight did, and the one in flight took effect whole or not at all.
/// </remarks>
[Collection(SharedPublishedGofer.Name)]
public sealed class CopyUpCrashTests(PublishedGofer gofer, LargeLowerLayer lower, ITestOutputHelper output) : IClassFixture<LargeLowerLayer>
{
    /// <summary>Rounds (seeds 1..N) unless GOFER_CRASH_ROUNDS asks for more or fewer.</summary>
    private const int DefaultRounds = 6;

    /// <summary>About the time the copy-up of a mid-size file takes here (5 to 16 ms for 16 to 48 MiB), so a kill may land anywhere in one.</summary>
    private const int MaxKillDelayMilliseconds = 10;

    private const int Sigkill = 9;

    /// <summary>Sent first: its answer says the exec has connected, and the kill point is counted from there.</summary>
    private const string ReadyRequest = """{"op":"lstat","path":"/"}""";

    private const string TreeRequest = """{"op":"tree","path":"/"}""";

    public static TheoryData<int> Seeds()
    {
        var rounds = Environment.GetEnvironmentVariable("GOFER_CRASH_ROUNDS") is { } value
            ? int.Parse(value, CultureInfo.InvariantCulture)
            : DefaultRounds;
        return [.. Enumerable.Range(1, rounds)];
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task A_SIGKILL_during_copy_ups_renames_and_unlinks_leaves_every_file_old_or_new_and_the_upper_mountable(int seed)
    {
        var random = new Random(seed);
        var script = CrashScript.Generate(random, lower);
        var killAfter = random.Next(script.Requests.Count);
        var delay = random.Next(MaxKillDelayMilliseconds + 1);
        using var bundle = new OverlayBundle();
        File.SetUnixFileMode(bundle.Upper, LargeLowerLayer.RootMode);
        bundle.Write($"lowerdir={OptionEscapes.Escape(lower.Path)},upperdir=layers/upper,workdir=layers/work");
        var socket = bundle.Directory.Combine("gofer.sock");

        var (answers, execExit) = await RunAndKill(bundle.Path, socket, script, killAfter, delay);
        var applied = answers.TakeWhile(IsOk).Count();
        Assert.True(applied >= killAfter, $"only {applied} of the {killAfter} answers read before the kill were ok:\n{string.Join('\n', answers)}");

        // Once the gofer is gone nothing can succeed: an ok after a failure would be an answer made up by the sentry.
        Assert.DoesNotContain(answers.Skip(applied), IsOk);

        TreeSnapshot merged;
        await using (var restarted = await GoferServerProcess.StartAsync(gofer.Binary, bundle.Path, socket))
        {
            merged = Tree(await ScriptProcess.RunAsync([gofer.Binary, "exec", "--socket", socket, "--mount", "/data"], TreeRequest + "\n"));
            Assert.Equal(0, (await restarted.TerminateAsync()).ExitCode);
        }

        var candidates = applied < script.Requests.Count ? new[] { applied, applied + 1 } : [applied];
        var landed = candidates.Where(k => merged.Differences(script.States[k]).Length == 0).ToList();
        output.WriteLine(
            $"seed {seed}: killed {delay} ms after answer {killAfter} of {script.Requests.Count}; {applied} answered ok; "
            + (applied < script.Requests.Count
                ? $"in flight: {script.Descriptions[applied]} -> {(landed is [var k] ? (k > applied ? "took effect" : "did not take effect") : "neither")}"
                : "the script had ended")
            + $"; exec exited {execExit}; script: {string.Join(", ", script.Descriptions)}");
        if (landed.Count == 0)
        {
            Assert.Fail(
                $"seed {seed}: after the crash the view is neither the state before the request in flight nor the one after it\n"
                + string.Join('\n', candidates.Select(k => $"against the state after {k} requests:\n{merged.Differences(script.States[k])}")));
        }

        var kernel = await KernelTree(bundle);
        var differences = kernel.Differences(merged);
        if (differences.Length > 0)
        {
            Assert.Fail($"seed {seed}: the kernel's overlayfs on the upper shows otherwise than the gofer (+ kernel only, - gofer only):\n{differences}");
        }
    }

    private static bool IsOk(string? answer)
    {
        if (answer is null)
        {
            return false;
        }

        using var document = JsonDocument.Parse(answer);
        return document.RootElement.GetProperty("ok").GetBoolean();
    }

    /// <summary>
    /// Runs the script through a gofer on the bundle and kills the gofer with SIGKILL
    /// <paramref name="delay"/> ms after the answer to request <paramref name="killAfter"/>.
    /// Returns every answer the exec gave (including those after the kill) and its exit status.
    /// </summary>
    private async Task<(IReadOnlyList<string> Answers, int ExecExit)> RunAndKill(string bundle, string socket, CrashScript script, int killAfter, int delay)
    {
        var server = await GoferServerProcess.StartAsync(gofer.Binary, bundle, socket);
        try
        {
            using var exec = LiveScriptProcess.Start(gofer.Binary, ["exec", "--socket", socket, "--mount", "/data"], [ReadyRequest, .. script.Requests]);
            Assert.True(IsOk(await exec.ReadLineAsync()), "the exec did not answer its first request");
            var answers = new List<string>();
            while (answers.Count < killAfter)
            {
                answers.Add(await exec.ReadLineAsync() ?? throw new InvalidOperationException($"the exec stopped after {answers.Count} answers"));
            }

            // Where the kill lands inside the next request is the experiment (see the class remarks); nothing waits on it.
            await Task.Delay(delay);
            ErrnoException.ThrowIfError(Syscalls.Kill(server.Pid, Sigkill), "kill");
            var (exit, remaining, _) = await exec.FinishAsync();
            return ([.. answers, .. remaining], exit);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>The upper, as the kernel's overlayfs mounts it over the same lower, in a mount namespace of its own.</summary>
    private async Task<TreeSnapshot> KernelTree(OverlayBundle bundle)
    {
        var options = string.Join(
            ',',
            $"lowerdir={OptionEscapes.Escape(lower.Path)}",
            $"upperdir={OptionEscapes.Escape(bundle.Upper)}",
            $"workdir={OptionEscapes.Escape(bundle.Directory.Combine("layers", "work"))}",
            OverlayMountOptions.Pinned,
            "redirect_dir=off");
        return Tree(await KernelOverlay.RunAsync(options, bundle.Directory.Make("merged"), KernelOverlay.GoferExec(gofer.Binary), TreeRequest + "\n"));
    }

    /// <summary>The one answer of a `gofer exec` run of <see cref="TreeRequest"/>.</summary>
    private static TreeSnapshot Tree(ExecOutput run)
    {
        Assert.True(run.ExitCode == 0 && run.Lines.Count == 1, run.Describe());
        return TreeSnapshot.Parse(run.Lines[0]);
    }
}
