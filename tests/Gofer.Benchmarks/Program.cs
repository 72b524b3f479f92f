using System.Diagnostics;
using System.Globalization;
using Gofer.Benchmarks;
using Gofer.Native;
using Gofer.Protocol.V1;
using Gofer.Sentry.Composition;
using Gofer.Sentry.Connection;
using Gofer.Sentry.Launch;
using Gofer.Server.Tests.EndToEnd;
using Google.Protobuf;

// Startup, idle memory and lookup latency of the published gofer, each beside a reference
// measured in the same run. Usage: dotnet run -c Release --project tests/Gofer.Benchmarks [-- PATH-TO-GOFER]
var binary = args.Length > 0 ? Path.GetFullPath(args[0]) : new PublishedGofer().Binary;
const int Starts = 21, Warmup = 500, Calls = 5000;
using var bundle = new OverlayBundle();
var report = new List<(string What, double Value, string Unit, string Reference, double ReferenceValue)>();
var localStat = 0.0;

// 1. exec → ready, against exec → exit of `true` (the floor of starting any process here).
var ready = new Samples();
var rss = new Samples();
var trueExec = new Samples();
for (var i = 0; i < Starts; i++)
{
    var start = Stopwatch.GetTimestamp();
    await using (var gofer = await GoferServerProcess.StartAsync(binary, bundle.Path, bundle.Directory.Combine($"start{i}.sock")))
    {
        ready.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        rss.Add(ResidentMebibytes(gofer.Pid));
            await gofer.TerminateAsync();
    }

    start = Stopwatch.GetTimestamp();
    using (var process = Process.Start("true"))
    {
        await process.WaitForExitAsync();
    }

    trueExec.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
}

report.Add(("exec → serving", ready.Median, "ms", "exec of true", trueExec.Median));
report.Add(("idle RSS after ready", rss.Median, "MiB", "goal", 30));

// 2. A three-component walk with a stat of each component, over one connection.
var file = bundle.Directory.Combine("layers", "top:colon", "a", "b", "f");
Directory.CreateDirectory(Path.GetDirectoryName(file)!);
File.WriteAllText(file, "x");
await using (var gofer = await GoferServerProcess.StartAsync(binary, bundle.Path, bundle.Directory.Combine("walk.sock")))
{
    var client = new FileService.FileServiceClient(gofer.Connect());
    var layer = (await client.ListMountsAsync(new ListMountsRequest())).Mounts[1].Layers[0].Id;
    var root = await client.AttachAsync(new AttachRequest { Layer = layer });
    var walk = new WalkRequest { Directory = root.Handle, Names = { ByteString.CopyFromUtf8("a"), ByteString.CopyFromUtf8("b"), ByteString.CopyFromUtf8("f") }, Handles = WalkHandles.None };

    var local = await Samples.TimeAsync(Warmup, Calls, () =>
    {
        Syscalls.StatPath(file, followSymlink: false, out _);

        return Task.CompletedTask;
    });

    using var session = client.Session();
    var tag = 0UL;
    var streamed = await Samples.TimeAsync(Warmup, Calls, async () =>
    {
        await session.RequestStream.WriteAsync(new SessionRequest { Tag = ++tag, Walk = walk });
        await session.ResponseStream.MoveNext(CancellationToken.None);
        if (session.ResponseStream.Current.Walk.Entries.Count != 3)
        {
            throw new InvalidOperationException("walk did not reach the file");
        }
    });
    var statOnly = await Samples.TimeAsync(Warmup, Calls, async () =>
    {
        await session.RequestStream.WriteAsync(new SessionRequest { Tag = ++tag, Stat = new StatRequest { Handle = root.Handle } });
        await session.ResponseStream.MoveNext(CancellationToken.None);
    });
    report.Add(("stat, Session stream", statOnly.Median, "µs", "local fstatat", local.Median));
    await session.RequestStream.CompleteAsync();

    using (var framed = SessionSocket.Connect(gofer.SocketPath))
    {
        var framedRoot = framed.Call(new SessionRequest { Attach = new AttachRequest { Layer = layer } }).Attach.Handle;
        var framedWalk = new SessionRequest { Walk = new WalkRequest { Directory = framedRoot, Names = { walk.Names }, Handles = WalkHandles.None } };
        var framedSamples = await Samples.TimeAsync(Warmup, Calls, () =>
        {
            if (framed.Call(framedWalk).Walk.Entries.Count != 3)
            {
                throw new InvalidOperationException("walk did not reach the file");
            }

            return Task.CompletedTask;
        });
        report.Add(("walk+stat, framed session", framedSamples.Median, "µs", "local fstatat", local.Median));
    }

    var unary = await Samples.TimeAsync(Warmup, Calls, async () => await client.WalkAsync(walk));
    report.Add(("walk+stat, Session stream", streamed.Median, "µs", "local fstatat", local.Median));
    report.Add(("walk+stat, unary call", unary.Median, "µs", "local fstatat", local.Median));
    localStat = local.Median;
    report.Add(($"RSS after {2 * (Warmup + Calls)} walks", ResidentMebibytes(gofer.Pid), "MiB", "goal", 30));
}

// 3. The sentry's round-trip budgets on a mount of three layers (two lowers and the upper), each
// directory merged from all three: an uncached lookup of six components, the same lookup again,
// and a readdir of 10,000 names spread over the layers.
var deep = new[] { "deep", "a", "b", "c", "d" };
foreach (var layer in new[] { "top:colon", "base", "upper" })
{
    Directory.CreateDirectory(bundle.Directory.Combine(["layers", layer, .. deep]));
    var wide = Directory.CreateDirectory(bundle.Directory.Combine("layers", layer, "wide")).FullName;
    if (layer != "upper")
    {
        for (var i = 0; i < 5000; i++)
        {
            File.WriteAllBytes(Path.Combine(wide, $"{layer[0]}{i:D5}"), []);
        }
    }
}

File.WriteAllText(bundle.Directory.Combine(["layers", "base", .. deep, "f"]), "x");
await using (var gofer = await GoferServerProcess.StartAsync(binary, bundle.Path, bundle.Directory.Combine("sentry.sock")))
{
    var lookups = new Samples();
    var trips = new Samples();
    for (var i = 0; i < 200; i++)
    {
        using var view = SentryMounts.Open(gofer.SocketPath, "/data");
        var before = view.RoundTrips;
        var start = Stopwatch.GetTimestamp();
        view.Lstat("/deep/a/b/c/d/f");
        lookups.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        trips.Add(view.RoundTrips - before);
    }

    using var warm = SentryMounts.Open(gofer.SocketPath, "/data");
    warm.Lstat("/deep/a/b/c/d/f");
    var warmBefore = warm.RoundTrips;
    var repeated = await Samples.TimeAsync(Warmup, Calls, () =>
    {
        warm.Lstat("/deep/a/b/c/d/f");
        return Task.CompletedTask;
    });
    var warmTrips = (double)(warm.RoundTrips - warmBefore);

    var listings = new Samples();
    var listingTrips = new Samples();
    for (var i = 0; i < 15; i++)
    {
        using var view = SentryMounts.Open(gofer.SocketPath, "/data");
        view.Lstat("/wide");
        var before = view.RoundTrips;
        var start = Stopwatch.GetTimestamp();
        var count = view.ReadDir("/wide").Count;
        listings.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        listingTrips.Add(view.RoundTrips - before);
        _ = count == 10_000 ? 0 : throw new InvalidOperationException($"readdir saw {count} names");
    }

    var localListing = await Samples.TimeAsync(2, 15, () =>
    {
        _ = Directory.GetFileSystemEntries(bundle.Directory.Combine("layers", "top:colon", "wide")).Length
            + Directory.GetFileSystemEntries(bundle.Directory.Combine("layers", "base", "wide")).Length;
        return Task.CompletedTask;
    });

    report.Add(("sentry lstat, 6 names uncached", lookups.Median, "µs", "local fstatat", localStat));
    report.Add(("  round trips for it", trips.Median, "", "budget", 1));
    report.Add(("sentry lstat, repeated", repeated.Median, "µs", "local fstatat", localStat));
    report.Add(("  round trips per repeat", warmTrips / (Warmup + Calls), "", "budget", 1));
    report.Add(("sentry readdir, 10,000 merged", listings.Median, "ms", "local readdir of both", localListing.Median / 1000));
    report.Add(("  round trips for it", listingTrips.Median, "", "budget (layers)", 3));
}

Console.WriteLine($"gofer benchmark: medians of {Starts} starts and {Calls} calls; binary {binary}");
Console.WriteLine($"{"measure",-28} {"gofer",12} {"reference",26} {"ratio",8}");
foreach (var (what, value, unit, reference, referenceValue) in report)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what,-28} {value,8:F1} {unit,-3} {reference + " " + referenceValue.ToString("F1", CultureInfo.InvariantCulture) + " " + unit,26} {value / referenceValue,7:F2}×"));
}

static double ResidentMebibytes(int pid) =>
    File.ReadLines($"/proc/{pid}/status")
        .Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
        .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024)
        .Single();
