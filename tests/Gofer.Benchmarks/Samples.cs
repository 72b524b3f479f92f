using System.Diagnostics;

namespace Gofer.Benchmarks;

/// <summary>Repeated timings of one thing, summarised by the median (the machines are shared and noisy).</summary>
public sealed class Samples
{
    private readonly List<double> values = [];

    public int Count => values.Count;

    public void Add(double value) => values.Add(value);

    /// <summary>Takes in every value of <paramref name="other"/> (rounds measured apart, summarised together).</summary>
    public void Add(Samples other)
    {
        ArgumentNullException.ThrowIfNull(other);
        values.AddRange(other.values);
    }

    public double Median
    {
        get
        {
            var sorted = values.Order().ToList();
            var middle = sorted.Count / 2;
            return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }
    }

    /// <summary>Times <paramref name="action"/> <paramref name="count"/> times after <paramref name="warmup"/> untimed runs, in microseconds.</summary>
    public static async Task<Samples> TimeAsync(int warmup, int count, Func<Task> action)
    {
        for (var i = 0; i < warmup; i++)
        {
            await action();
        }

        var samples = new Samples();
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await action();
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }

        return samples;
    }
}
