namespace Gofer.Server.Service;

/// <summary>
/// A connection's handle table as one call sees it. Every node the call looks up keeps its
/// descriptor open until the call ends, even when the handle is closed meanwhile (by a concurrent
/// Close on the same connection, or the connection ending). Otherwise the descriptor number could
/// be closed under a running read, write or lookup and reused by the next open of any connection,
/// and the call would carry on against a file the client never named.
/// </summary>
/// <remarks>One call is one thread of control at a time (a unary call, one Session request, one stream), so no lock is needed.</remarks>
public sealed class CallHandles(HandleTable table) : IDisposable
{
    private readonly List<Node> held = [];
    private int reserved;

    /// <summary>The node of a handle, held until this call ends, or EBADF naming the operation.</summary>
    public Node Get(ulong handle, string operation)
    {
        var node = table.Acquire(handle, operation);
        held.Add(node);
        return node;
    }

    /// <inheritdoc cref="HandleTable.Capacity"/>
    public int Capacity => table.Capacity;

    /// <inheritdoc cref="HandleTable.Add"/>
    /// <remarks>A handle <see cref="Reserve"/>d by this call is used first.</remarks>
    public ulong Add(Node node)
    {
        if (reserved == 0)
        {
            return table.Add(node);
        }

        reserved--;
        return table.AddReserved(node);
    }

    /// <inheritdoc cref="HandleTable.Reserve"/>
    public void Reserve()
    {
        table.Reserve();
        reserved++;
    }

    /// <inheritdoc cref="HandleTable.Remove"/>
    public bool Remove(ulong handle) => table.Remove(handle);

    /// <summary>Ends the call: descriptors whose handles were closed meanwhile are closed now.</summary>
    public void Dispose()
    {
        held.ForEach(node => node.Release());
        held.Clear();
        for (; reserved > 0; reserved--)
        {
            table.Unreserve();
        }
    }
}
