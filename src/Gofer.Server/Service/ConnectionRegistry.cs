using System.Collections.Concurrent;
using Gofer.Native;

namespace Gofer.Server.Service;

/// <summary>The handle table of every open client connection, keyed by the transport's connection id.</summary>
/// <param name="budget">The descriptors every connection's handles share.</param>
public sealed class ConnectionRegistry(DescriptorBudget budget) : IDisposable
{
    private readonly ConcurrentDictionary<string, HandleTable> tables = new();
    private long closed;

    /// <summary>Called when a connection is accepted.</summary>
    public void Open(string connectionId) => tables.TryAdd(connectionId, new HandleTable(budget));

    /// <summary>The descriptors every connection's handles share.</summary>
    public DescriptorBudget Budget => budget;

    /// <summary>Connections closed so far.</summary>
    public long Closed => Interlocked.Read(ref closed);

    /// <summary>Called when a connection ends: all of its handles are released.</summary>
    public void Close(string connectionId)
    {
        if (tables.TryRemove(connectionId, out var table))
        {
            table.Dispose();
            Interlocked.Increment(ref closed);
        }
    }

    /// <summary>The table of a live connection.</summary>
    public HandleTable Get(string connectionId) =>
        tables.TryGetValue(connectionId, out var table)
            ? table
            : throw new ErrnoException(Errno.EBADF, "connection", connectionId);

    public void Dispose()
    {
        foreach (var id in tables.Keys)
        {
            Close(id);
        }
    }
}
