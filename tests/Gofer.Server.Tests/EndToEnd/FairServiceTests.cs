using System.Diagnostics;
using Gofer.Native;
using Gofer.Protocol.V1;
using Gofer.Sentry.Connection;
using Gofer.Sentry.Launch;
using Gofer.Server.Service;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Gofer.Server.Tests.EndToEnd;

/// <summary>
/// The published gofer stays fair to every client when one misbehaves: a client that takes all
/// the handles it may, pipelines big reads it never reads, copies up a big file, or joins a storm
/// of connections, leaves the others served promptly and the gofer's memory bounded. The bounds
/// asserted are liveness deadlines with wide margins: what they catch (a stalled thread, a full
/// table, unbounded buffering) costs seconds and hundreds of MiB, not the milliseconds the
/// machine's noise adds.
/// </summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class FairServiceTests(PublishedGofer gofer, ITestOutputHelper output)
{
    /// <summary>The limit the gofers here run under: 1024 leaves 784 handles, 392 per connection, and 112 connections.</summary>
    private const int DescriptorLimit = 1024;

    /// <summary>What one connection whose client never reads may add to the gofer's memory: one 4 MiB answer in its forms (read buffer, message, encoded frame) and the transport's 1 MiB, with room for the runtime's own growth.</summary>
    private const double PipelinedReadBoundMiB = 64;

    /// <summary>How far above its idle size the gofer may stay once a storm has passed (it trims after one within seconds).</summary>
    private const double AfterStormBoundMiB = 8;

    [Fact]
    public async Task While_one_client_holds_every_handle_it_may_another_clients_stat_answers_within_50_ms()
    {
        using var bundle = new OverlayBundle();
        await using var process = await LimitedGofer.StartAsync(gofer.Binary, bundle, DescriptorLimit, DescriptorLimit);
        using var greedy = SessionSocket.Connect(process.SocketPath);
        var list = greedy.Call(new SessionRequest { ListMounts = new ListMountsRequest() }).ListMounts;
        var layer = list.Mounts[1].Layers[0].Id;
        var share = DescriptorBudget.ForLimit(DescriptorLimit).PerConnection;
        Assert.Equal((uint)share, list.HandleLimit);

        var held = 0;
        SessionResponse answer;
        while ((answer = greedy.Call(new SessionRequest { Attach = new AttachRequest { Layer = layer } })).ResultCase == SessionResponse.ResultOneofCase.Attach)
        {
            held++;
        }

        Assert.Equal(Errno.EMFILE, answer.Failure.Errno);
        Assert.Equal(share, held);

        using var other = SessionSocket.Connect(process.SocketPath);
        var root = other.Call(new SessionRequest { Attach = new AttachRequest { Layer = layer } }).Attach.Handle;
        var latencies = Measure(200, () => Assert.Equal(
            SessionResponse.ResultOneofCase.Stat,
            other.Call(new SessionRequest { Stat = new StatRequest { Handle = root } }).ResultCase));
        Report("stat beside a client holding its whole share", latencies);
        Assert.True(Percentile(latencies, 0.9) < 50, $"another client's stat took {Percentile(latencies, 0.9):F1} ms (p90) while one client held its handles");

        // With the whole budget taken and more connections than the bound asking, every one is
        // answered or closed at once, the table never fills, and the accept loop does not spin.
        while (other.Call(new SessionRequest { Attach = new AttachRequest { Layer = layer } }).ResultCase == SessionResponse.ResultOneofCase.Attach)
        {
        }

        var bound = DescriptorBudget.ForLimit(DescriptorLimit).Connections;
        var crowd = Enumerable.Range(0, bound + 50).Select(_ => RawSession.Connect(process.SocketPath)).ToList();
        var answered = crowd.Count(c => c.TrySend([new SessionRequest { Tag = 1, ListMounts = new ListMountsRequest() }]) && ReceivedAnswer(c));
        var cpu = GoferProcessState.CpuSeconds(process.Pid);
        await Task.Delay(1000);
        var busy = GoferProcessState.CpuSeconds(process.Pid) - cpu;
        output.WriteLine($"budget spent, {crowd.Count} more connections: {answered} answered, the rest closed; {GoferProcessState.Descriptors(process.Pid)} descriptors of {DescriptorLimit}; {busy:F2} s CPU in the next second");
        Assert.InRange(answered, 1, bound);
        Assert.True(GoferProcessState.Descriptors(process.Pid) < DescriptorLimit);
        Assert.True(busy < 0.3, $"the gofer used {busy:F2} s of CPU in a second with its connections full: its accept loop spins");
        Assert.Equal(SessionResponse.ResultOneofCase.Stat, other.Call(new SessionRequest { Stat = new StatRequest { Handle = root } }).ResultCase);
        crowd.ForEach(c => c.Dispose());
    }

    /// <summary>Whether a connection got an answer (true) or was closed (false); a connection left hanging fails the test.</summary>
    private static bool ReceivedAnswer(RawSession session)
    {
        session.Socket.ReceiveTimeout = 10_000;
        try
        {
            return session.Socket.Receive(new byte[4096]) > 0;
        }
        catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode == System.Net.Sockets.SocketError.ConnectionReset)
        {
            return false;
        }
    }

    [Fact]
    public async Task Pipelined_4_MiB_reads_that_are_never_read_keep_the_gofers_memory_bounded()
    {
        using var bundle = new OverlayBundle();
        File.WriteAllBytes(bundle.Directory.Combine("layers", "top:colon", "big"), RandomData(FileOperations.MaxTransfer));
        await using var process = await GoferServerProcess.StartAsync(gofer.Binary, bundle.Path, bundle.Directory.Combine("gofer.sock"));
        using var probe = SessionSocket.Connect(process.SocketPath);
        var layer = probe.Call(new SessionRequest { ListMounts = new ListMountsRequest() }).ListMounts.Mounts[1].Layers[0].Id;
        var baseline = GoferProcessState.ResidentMiB(process.Pid);
        var descriptors = GoferProcessState.Descriptors(process.Pid);

        // 400 reads of 4 MiB: 1.6 GiB of answers if the gofer made them all; 7 KB of requests.
        using var hog = RawSession.Connect(process.SocketPath);
        hog.Socket.ReceiveBufferSize = 4096;
        const int reads = 400;
        hog.Send([
            new SessionRequest { Tag = 1, Attach = new AttachRequest { Layer = layer } },
            new SessionRequest { Tag = 2, Walk = new WalkRequest { Directory = 1, Names = { ByteString.CopyFromUtf8("big") }, Handles = WalkHandles.Last } },
            new SessionRequest { Tag = 3, Open = new OpenRequest { Handle = 2, Flags = Syscalls.O_RDONLY } },
            .. Enumerable.Range(0, reads).Select(i => new SessionRequest { Tag = 4 + (ulong)i, Read = new ReadRequest { Handle = 3, Length = FileOperations.MaxTransfer } })]);

        // Watch the gofer while the hog does not read, and serve another client meanwhile.
        var peak = baseline;
        var root = probe.Call(new SessionRequest { Attach = new AttachRequest { Layer = layer } }).Attach.Handle;
        for (var watched = Stopwatch.StartNew(); watched.Elapsed < TimeSpan.FromSeconds(3);)
        {
            Assert.Equal(SessionResponse.ResultOneofCase.Stat, probe.Call(new SessionRequest { Stat = new StatRequest { Handle = root } }).ResultCase);
            peak = Math.Max(peak, GoferProcessState.ResidentMiB(process.Pid));
            await Task.Delay(20);
        }

        hog.Dispose();
        await Service.Poll.UntilAsync(() => GoferProcessState.Descriptors(process.Pid) <= descriptors, "the gofer released the hog's connection");
        var after = GoferProcessState.ResidentMiB(process.Pid);
        output.WriteLine($"pipelined reads: RSS {baseline:F1} MiB before, {peak:F1} MiB peak while unread, {after:F1} MiB after the client left");
        Assert.True(peak - baseline < PipelinedReadBoundMiB, $"the gofer grew by {peak - baseline:F0} MiB for answers nobody read (bound {PipelinedReadBoundMiB} MiB)");
    }

    [Fact]
    public async Task A_2_GiB_copy_up_on_one_connection_leaves_another_connections_stat_under_10_ms()
    {
        using var bundle = new OverlayBundle();

        // Sparse source: copy_file_range on a filesystem without reflinks (ext4, tmpfs) reads
        // the holes as zeros and writes 2 GiB of data, which is what takes seconds.
        const long size = 2L << 30;
        using (var sparse = File.Create(bundle.Directory.Combine("layers", "top:colon", "huge")))
        {
            sparse.SetLength(size);
        }

        await using var process = await GoferServerProcess.StartAsync(gofer.Binary, bundle.Path, bundle.Directory.Combine("gofer.sock"));
        using var copier = SessionSocket.Connect(process.SocketPath);
        var mount = copier.Call(new SessionRequest { ListMounts = new ListMountsRequest() }).ListMounts.Mounts[1];
        var lower = copier.Call(new SessionRequest { Attach = new AttachRequest { Layer = mount.Layers[0].Id } }).Attach.Handle;
        var upper = copier.Call(new SessionRequest { Attach = new AttachRequest { Layer = mount.Layers.Single(l => l.Role == LayerRole.Upper).Id } }).Attach.Handle;
        var source = copier.Call(new SessionRequest { Walk = new WalkRequest { Directory = lower, Names = { ByteString.CopyFromUtf8("huge") }, Handles = WalkHandles.Last } }).Walk.Entries[0].Handle;

        using var other = SessionSocket.Connect(process.SocketPath);
        var root = other.Call(new SessionRequest { Attach = new AttachRequest { Layer = mount.Layers[0].Id } }).Attach.Handle;
        var grpc = new Protocol.V1.FileService.FileServiceClient(process.Connect());
        var grpcRoot = (await grpc.AttachAsync(new AttachRequest { Layer = mount.Layers[0].Id })).Handle;

        var copied = Stopwatch.StartNew();
        var copy = Task.Run(() => copier.Call(new SessionRequest { CopyUp = new CopyUpRequest { Source = source, Directory = upper, Name = ByteString.CopyFromUtf8("huge") } }));
        var framed = new List<double>();
        var overGrpc = new List<double>();
        while (!copy.IsCompleted)
        {
            framed.Add(Time(() => other.Call(new SessionRequest { Stat = new StatRequest { Handle = root } })));
            overGrpc.Add(Time(() => grpc.Stat(new StatRequest { Handle = grpcRoot })));

            // Paced, so that the probe does not take the CPU the copy needs.
            Thread.Sleep(2);
        }

        var answer = await copy;
        copied.Stop();
        Assert.Equal(SessionResponse.ResultOneofCase.CopyUp, answer.ResultCase);
        Assert.Equal(size, new FileInfo(Path.Combine(bundle.Upper, "huge")).Length);
        output.WriteLine($"copy-up of 2 GiB took {copied.Elapsed.TotalSeconds:F1} s");
        Report("framed-session stat during the copy-up", framed);
        Report("gRPC stat during the copy-up", overGrpc);

        // Enough stats to say something, and the typical one prompt: a blocked thread would
        // hold every one of them for the length of the copy, seconds.
        Assert.True(framed.Count >= 20, $"only {framed.Count} stats were made during the copy-up");
        Assert.True(Percentile(framed, 0.5) < 10, $"framed-session stat took {Percentile(framed, 0.5):F1} ms (median) during a copy-up");
        Assert.True(Percentile(overGrpc, 0.5) < 10, $"gRPC stat took {Percentile(overGrpc, 0.5):F1} ms (median) during a copy-up");
        Assert.True(Percentile(framed, 0.9) < 100 && Percentile(overGrpc, 0.9) < 100, "stats stalled (p90 over 100 ms) during a copy-up");
    }

    [Fact]
    public async Task A_storm_of_connections_past_the_bound_leaves_the_gofer_serving_and_its_memory_near_idle()
    {
        using var bundle = new OverlayBundle();
        await using var process = await LimitedGofer.StartAsync(gofer.Binary, bundle, DescriptorLimit, DescriptorLimit);
        var bound = DescriptorBudget.ForLimit(DescriptorLimit).Connections;
        using (var warm = SessionSocket.Connect(process.SocketPath))
        {
            warm.Call(new SessionRequest { ListMounts = new ListMountsRequest() });
        }

        var baseline = GoferProcessState.ResidentMiB(process.Pid);
        var socketsBefore = GoferProcessState.Sockets(process.Pid);
        var peak = baseline;
        var served = 0;
        var refused = 0;
        const int rounds = 40;
        var wave = bound + 88;
        for (var round = 0; round < rounds; round++)
        {
            // A wave past the bound: most connect and ask, some send half a preface, some nothing.
            var sockets = Enumerable.Range(0, wave).Select(i => RawSession.Connect(process.SocketPath, (i % 4) switch { 0 => 0, 1 => 5, _ => null })).ToList();
            foreach (var s in sockets.Where((_, i) => i % 4 >= 2))
            {
                // False when closed by the gofer already: past the bound.
                s.TrySend([new SessionRequest { Tag = 1, ListMounts = new ListMountsRequest() }]);
            }

            if (round == 0)
            {
                // Every asking connection is either answered or closed at once, none left waiting.
                foreach (var s in sockets.Where((_, i) => i % 4 >= 2))
                {
                    _ = ReceivedAnswer(s) ? served++ : refused++;
                }
            }

            peak = Math.Max(peak, GoferProcessState.ResidentMiB(process.Pid));
            sockets.ForEach(s => s.Dispose());
        }

        Assert.True(served > 0 && served <= bound, $"{served} of a wave were served; the bound is {bound}");
        Assert.True(refused > 0, "no connection past the bound was closed");

        using var after = SessionSocket.Connect(process.SocketPath);
        Assert.Equal(SessionResponse.ResultOneofCase.ListMounts, after.Call(new SessionRequest { ListMounts = new ListMountsRequest() }).ResultCase);

        // Settled: connections gone, the accept loop quiet (a spinning one burns a core).
        await Service.Poll.UntilAsync(() => GoferProcessState.Sockets(process.Pid) <= socketsBefore + 1, "the storm's connections were closed");
        var cpu = GoferProcessState.CpuSeconds(process.Pid);
        await Task.Delay(1000);
        var idleCpu = GoferProcessState.CpuSeconds(process.Pid) - cpu;
        var settled = double.MaxValue;
        await Service.Poll.UntilAsync(() => (settled = GoferProcessState.ResidentMiB(process.Pid)) - baseline < AfterStormBoundMiB, "the gofer's memory came back near its idle size");
        output.WriteLine($"storm of {rounds * wave} connections (bound {bound}; first wave {served} served, {refused} closed): RSS {baseline:F1} MiB before, {peak:F1} MiB peak, {settled:F1} MiB after; {idleCpu:F2} s CPU in the idle second after");
        Assert.True(idleCpu < 0.3, $"the idle gofer used {idleCpu:F2} s of CPU in a second after the storm");
    }

    private static byte[] RandomData(int length)
    {
        var data = new byte[length];
        Random.Shared.NextBytes(data);
        return data;
    }

    private static List<double> Measure(int count, Action call) => [.. Enumerable.Range(0, count).Select(_ => Time(call))];

    private static double Time(Action call)
    {
        var started = Stopwatch.GetTimestamp();
        call();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
    }

    private void Report(string what, List<double> latencies) =>
        output.WriteLine($"{what}: {latencies.Count} calls, median {Percentile(latencies, 0.5):F2} ms, p90 {Percentile(latencies, 0.9):F2} ms, max {latencies.Max():F1} ms");
}
