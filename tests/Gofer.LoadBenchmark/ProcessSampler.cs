using System.Globalization;

namespace Gofer.LoadBenchmark;

/// <summary>One second's look at a process: resident memory and open descriptors.</summary>
public sealed record ProcessSample(double Seconds, string Phase, double RssMebibytes, int Descriptors);

/// <summary>Samples another process's RSS (VmRSS) and descriptor count (/proc/PID/fd) every second.</summary>
public sealed class ProcessSampler(int pid)
{
    private readonly List<ProcessSample> samples = [];
    private readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();

    public string Phase { get; set; } = "baseline";

    public IReadOnlyList<ProcessSample> Samples
    {
        get
        {
            lock (samples)
            {
                return [.. samples];
            }
        }
    }

    public ProcessSample Take()
    {
        var rssKib = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var sample = new ProcessSample(clock.Elapsed.TotalSeconds, Phase, double.Parse(rssKib, CultureInfo.InvariantCulture) / 1024, Directory.GetFiles($"/proc/{pid}/fd").Length);
        lock (samples)
        {
            samples.Add(sample);
        }

        return sample;
    }

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Take();
            try
            {
                await Task.Delay(1000, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
