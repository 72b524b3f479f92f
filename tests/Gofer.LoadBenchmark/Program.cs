using System.Diagnostics;
using System.Globalization;
using Gofer.LoadBenchmark;
using Gofer.Native;
using Gofer.Protocol.V1;
using Gofer.Sentry.Launch;
using Gofer.Server.Tests.EndToEnd;
using Google.Protobuf;

// 64 clients of mixed operations against the published gofer for 2 minutes, with the gofer's RSS
// and descriptors sampled every second; then every client leaves, half of them abruptly (a batch
// of large reads and writes sent, the socket closed before any answer is read), and sampling goes
// on to show both return to near their baseline.
// Usage: dotnet run -c Release --project tests/Gofer.LoadBenchmark [-- --clients N --seconds S --gofer PATH]
var options = new Dictionary<string, string>();
for (var i = 0; i + 1 < args.Length; i += 2)
{
    options[args[i].TrimStart('-')] = args[i + 1];
}

if (args.Length % 2 != 0 || options.Keys.Any(k => k is not ("clients" or "seconds" or "gofer")))
{
    Console.Error.WriteLine("usage: Gofer.LoadBenchmark [--clients N] [--seconds S] [--gofer PATH]");
    return 2;
}

var clients = int.Parse(options.GetValueOrDefault("clients", "64"), CultureInfo.InvariantCulture);
var seconds = int.Parse(options.GetValueOrDefault("seconds", "120"), CultureInfo.InvariantCulture);
var binary = options.TryGetValue("gofer", out var given) ? Path.GetFullPath(given) : new PublishedGofer().Binary;

using var bundle = new OverlayBundle();
var data = bundle.Directory.Combine("layers", "base", "data");
Directory.CreateDirectory(data);
for (var f = 0; f < 64; f++)
{
    File.WriteAllBytes(Path.Combine(data, $"f{f}"), new byte[64 << 10]);
}

File.WriteAllBytes(Path.Combine(data, "big"), new byte[4 << 20]);

await using var gofer = await GoferServerProcess.StartAsync(binary, bundle.Path, bundle.Directory.Combine("load.sock"));
var sampler = new ProcessSampler(gofer.Pid);
using var stopSampling = new CancellationTokenSource();
await Task.Delay(1000);
var sampling = sampler.RunAsync(stopSampling.Token);
await Task.Delay(3500);

sampler.Phase = "load";
var deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
var workers = Enumerable.Range(0, clients).Select(id => new Worker(id, gofer.SocketPath, deadline)).ToList();
var threads = workers.Select(w => new Thread(w.Run) { IsBackground = true, Name = $"client {w.Id}" }).ToList();
var loadClock = Stopwatch.StartNew();
threads.ForEach(t => t.Start());
threads.ForEach(t => t.Join());
var loadSeconds = loadClock.Elapsed.TotalSeconds;
sampler.Phase = "after";

await Task.Delay(15_000);
await stopSampling.CancelAsync();
await sampling;

// Still serving: a new client is answered.
using (var probe = new LoadClient(gofer.SocketPath))
{
    if (probe.Call(new SessionRequest { ListMounts = new ListMountsRequest() }).ResultCase != SessionResponse.ResultOneofCase.ListMounts)
    {
        throw new InvalidOperationException("the gofer no longer answers after the clients left");
    }
}

var samples = sampler.Samples;
var baseline = samples.Where(s => s.Phase == "baseline").ToList();
var load = samples.Where(s => s.Phase == "load").ToList();
var after = samples.Where(s => s.Phase == "after").ToList();
var latencies = workers.SelectMany(w => w.Latencies).Order().ToArray();
double Percentile(double p) => latencies.Length == 0 ? 0 : latencies[(int)Math.Min(latencies.Length - 1, p * latencies.Length)] * 1e6 / Stopwatch.Frequency;
var failures = workers.Sum(w => w.Failures);
var errors = workers.Select(w => w.Error).Where(e => e is not null).ToList();

Console.WriteLine($"clients {clients}, {loadSeconds:F1} s of mixed operations (attach, walk, stat, open, read, write, readdir, create, unlink, xattr, close)");
Console.WriteLine($"requests {latencies.Length:N0} ({latencies.Length / loadSeconds:N0}/s), answered with a failure {failures:N0}, clients that lost their connection {errors.Count}");
Console.WriteLine($"latency per request: p50 {Percentile(0.50):F0} µs, p99 {Percentile(0.99):F0} µs, max {Percentile(1):F0} µs");
foreach (var kind in workers.SelectMany(w => w.Counts.Keys).Distinct().Order())
{
    Console.WriteLine($"  {kind,-12} {workers.Sum(w => w.Counts.GetValueOrDefault(kind)),12:N0}");
}

Console.WriteLine($"abrupt leavers: {workers.Count(w => w.LeftAbruptly)} (each closing with up to 8 reads of 4 MiB and 8 writes of 1 MiB in flight)");
Console.WriteLine($"gofer RSS MiB: baseline {baseline.Average(s => s.RssMebibytes):F1}, peak {load.Max(s => s.RssMebibytes):F1}, after {after[^1].RssMebibytes:F1} (min of the last 5 s {after.TakeLast(5).Min(s => s.RssMebibytes):F1})");
Console.WriteLine($"gofer fds:     baseline {baseline.Max(s => s.Descriptors)}, peak {load.Max(s => s.Descriptors)}, after {after[^1].Descriptors}");
Console.WriteLine("samples (s, phase, RSS MiB, fds):");
foreach (var s in samples)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {s.Seconds,6:F1} {s.Phase,-8} {s.RssMebibytes,7:F1} {s.Descriptors,6}"));
}

foreach (var error in errors.Take(5))
{
    Console.WriteLine($"client error: {error}");
}

return 0;

/// <summary>One client: its own connection, its own directory in the upper, a seeded mix of operations.</summary>
internal sealed class Worker(int id, string socketPath, long deadline)
{
    private static readonly ByteString Chunk = ByteString.CopyFrom(new byte[16 << 10]);

    public int Id => id;

    public List<long> Latencies { get; } = new(1 << 16);

    public Dictionary<string, long> Counts { get; } = [];

    public long Failures { get; private set; }

    public bool LeftAbruptly { get; private set; }

    public string? Error { get; private set; }

    public void Run()
    {
        try
        {
            Serve();
        }
#pragma warning disable CA1031 // A client that fails is reported, not thrown: the others go on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Error = $"client {id}: {e.GetType().Name}: {e.Message}";
        }
    }

    private void Serve()
    {
        var random = new Random(id);
        var client = new LoadClient(socketPath);
        var mounts = Call(client, "listmounts", new SessionRequest { ListMounts = new ListMountsRequest() }).ListMounts;
        var overlay = mounts.Mounts.First(m => m.Kind == MountKind.Overlay);
        var upper = overlay.Layers.First(l => l.Role == LayerRole.Upper).Id;
        var lower = overlay.Layers.Last(l => l.Role == LayerRole.Lower).Id;
        var upperRoot = Call(client, "attach", new SessionRequest { Attach = new AttachRequest { Layer = upper } }).Attach.Handle;
        var lowerRoot = Call(client, "attach", new SessionRequest { Attach = new AttachRequest { Layer = lower } }).Attach.Handle;
        var own = Call(client, "mkdir", new SessionRequest { Mkdir = new MkdirRequest { Directory = upperRoot, Name = Name($"c{id}"), Mode = 0x1ED } }).Mkdir.Handle;
        var dataDir = Call(client, "walk", new SessionRequest { Walk = new WalkRequest { Directory = lowerRoot, Names = { Name("data") }, Handles = WalkHandles.Last } }).Walk.Entries[0].Handle;

        while (Stopwatch.GetTimestamp() < deadline)
        {
            var file = Name($"f{random.Next(64)}");
            switch (random.Next(8))
            {
                case 0:
                    Call(client, "walk", new SessionRequest { Walk = new WalkRequest { Directory = lowerRoot, Names = { Name("data"), file }, Handles = WalkHandles.None } });
                    break;
                case 1:
                    Call(client, "stat", new SessionRequest { Stat = new StatRequest { Handle = own } });
                    break;
                case 2:
                {
                    var walked = Call(client, "walk", new SessionRequest { Walk = new WalkRequest { Directory = dataDir, Names = { file }, Handles = WalkHandles.Last } }).Walk.Entries[0].Handle;
                    var open = Call(client, "open", new SessionRequest { Open = new OpenRequest { Handle = walked, Flags = Syscalls.O_RDONLY } }).Open.Handle;
                    Call(client, "read", new SessionRequest { Read = new ReadRequest { Handle = open, Length = 64 << 10 } });
                    Call(client, "close", new SessionRequest { Close = new CloseRequest { Handles = { walked, open } } });
                    break;
                }

                case 3:
                {
                    var created = Call(client, "create", new SessionRequest { Create = new CreateRequest { Directory = own, Name = Name($"w{random.Next(8)}"), Flags = Syscalls.O_RDWR, Mode = 0x1A4 } }).Create.Handle;
                    Call(client, "write", new SessionRequest { Write = new WriteRequest { Handle = created, Offset = random.Next(0, 1 << 20), Data = Chunk } });
                    Call(client, "close", new SessionRequest { Close = new CloseRequest { Handles = { created } } });
                    break;
                }

                case 4:
                    Call(client, "readdir", new SessionRequest { ReadDir = new ReadDirRequest { Handle = dataDir, WithStat = random.Next(2) == 0 } });
                    break;
                case 5:
                {
                    var name = Name($"t{random.Next(4)}");
                    var made = Call(client, "create", new SessionRequest { Create = new CreateRequest { Directory = own, Name = name, Flags = Syscalls.O_RDWR | Syscalls.O_EXCL, Mode = 0x1A4 } });
                    if (made.ResultCase == SessionResponse.ResultOneofCase.Create)
                    {
                        Call(client, "close", new SessionRequest { Close = new CloseRequest { Handles = { made.Create.Handle } } });
                    }

                    Call(client, "unlink", new SessionRequest { Unlink = new UnlinkRequest { Directory = own, Name = name } });
                    break;
                }

                case 6:
                    Call(client, "setxattr", new SessionRequest { SetXattr = new SetXattrRequest { Handle = own, Name = "user.load", Value = Name($"v{random.Next(100)}") } });
                    Call(client, "getxattr", new SessionRequest { GetXattr = new GetXattrRequest { Handle = own, Name = "user.load" } });
                    break;
                default:
                {
                    // A fresh attach and its close: handles come and go.
                    var root = Call(client, "attach", new SessionRequest { Attach = new AttachRequest { Layer = lower } }).Attach.Handle;
                    Call(client, "close", new SessionRequest { Close = new CloseRequest { Handles = { root } } });
                    break;
                }
            }
        }

        if (id % 2 == 1)
        {
            // Leave as a crashed client does: large requests in flight, the socket closed under them.
            var big = Call(client, "walk", new SessionRequest { Walk = new WalkRequest { Directory = dataDir, Names = { Name("big") }, Handles = WalkHandles.Last } }).Walk.Entries[0].Handle;
            var open = Call(client, "open", new SessionRequest { Open = new OpenRequest { Handle = big, Flags = Syscalls.O_RDONLY } }).Open.Handle;
            var scratch = Call(client, "create", new SessionRequest { Create = new CreateRequest { Directory = own, Name = Name("scratch"), Flags = Syscalls.O_RDWR, Mode = 0x1A4 } }).Create.Handle;
            var megabyte = ByteString.CopyFrom(new byte[1 << 20]);
            client.SendAndLeave(Enumerable.Range(0, 8).SelectMany(i => new[]
            {
                new SessionRequest { Read = new ReadRequest { Handle = open, Length = 4 << 20 } },
                new SessionRequest { Write = new WriteRequest { Handle = scratch, Offset = i << 20, Data = megabyte } },
            }));
            LeftAbruptly = true;
            return;
        }

        client.Dispose();
    }

    private SessionResponse Call(LoadClient client, string kind, SessionRequest request)
    {
        var start = Stopwatch.GetTimestamp();
        var response = client.Call(request);
        Latencies.Add(Stopwatch.GetTimestamp() - start);
        Counts[kind] = Counts.GetValueOrDefault(kind) + 1;
        if (response.ResultCase == SessionResponse.ResultOneofCase.Failure)
        {
            Failures++;
        }

        return response;
    }

    private static ByteString Name(string name) => ByteString.CopyFromUtf8(name);
}
