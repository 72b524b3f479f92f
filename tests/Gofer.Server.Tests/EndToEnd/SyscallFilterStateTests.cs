using Gofer.Protocol.V1;
using Gofer.Sentry.Launch;

namespace Gofer.Server.Tests.EndToEnd;

/// <summary>
/// Seccomp filters are per thread, and a .NET process has several threads before Main: a serving
/// gofer must show the filter and no_new_privs on every one of its threads, those started before
/// the filter and those started after.
/// </summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class SyscallFilterStateTests(PublishedGofer gofer)
{
    [Fact]
    public async Task Every_thread_of_a_serving_gofer_has_the_filter_and_no_new_privs()
    {
        using var bundle = new OverlayBundle();
        await using var process = await GoferServerProcess.StartAsync(gofer.Binary, bundle.Path, bundle.Directory.Combine("gofer.sock"));

        // Work on several connections at once, so that the thread pool and Kestrel start threads after the filter.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            var client = new FileService.FileServiceClient(process.Connect());
            for (var i = 0; i < 20; i++)
            {
                Assert.Equal(3, (await client.ListMountsAsync(new ListMountsRequest())).Mounts.Count);
            }
        }));

        var threads = Directory.GetDirectories($"/proc/{process.Pid}/task");
        Assert.True(threads.Length > 2, $"a serving gofer runs several threads, not {threads.Length}");
        foreach (var thread in threads)
        {
            var status = File.ReadAllLines(Path.Combine(thread, "status"));
            var name = Path.GetFileName(thread) + " " + status.Single(l => l.StartsWith("Name:", StringComparison.Ordinal));
            Assert.Equal((name, "Seccomp:\t2"), (name, status.Single(l => l.StartsWith("Seccomp:", StringComparison.Ordinal))));
            Assert.Equal((name, "Seccomp_filters:\t1"), (name, status.Single(l => l.StartsWith("Seccomp_filters:", StringComparison.Ordinal))));
            Assert.Equal((name, "NoNewPrivs:\t1"), (name, status.Single(l => l.StartsWith("NoNewPrivs:", StringComparison.Ordinal))));
        }
    }
}
