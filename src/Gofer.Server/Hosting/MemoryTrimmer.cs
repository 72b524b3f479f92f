using Gofer.Server.Service;

namespace Gofer.Server.Hosting;

/// <summary>
/// Gives memory back to the host after a storm of connections. The GC collects only when the
/// process allocates, and an idle gofer allocates nothing: what a storm left (freed connection
/// buffers, heap regions grown for them) would stay resident until the next burst of work —
/// 8,000 connections left 25–30 MiB over an idle 30 MiB, indefinitely. So when many connections
/// have closed since the last look, a full, compacting collection that returns free memory to
/// the operating system runs once; a few milliseconds, at most once a period, and only then.
/// </summary>
public sealed class MemoryTrimmer : IDisposable
{
    /// <summary>Connections closed since the last trim that make a storm worth trimming after.</summary>
    public const int StormConnections = 64;

    /// <summary>How often the closed connections are counted.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    private readonly ConnectionRegistry connections;
    private readonly Timer timer;
    private long trimmedAt;

    public MemoryTrimmer(ConnectionRegistry connections)
    {
        this.connections = connections;
        timer = new Timer(_ => Check(), null, Period, Period);
    }

    private void Check()
    {
        var closed = connections.Closed;
        if (closed - trimmedAt < StormConnections)
        {
            return;
        }

        trimmedAt = closed;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    public void Dispose() => timer.Dispose();
}
