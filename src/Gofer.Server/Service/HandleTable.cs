using Gofer.Native;

namespace Gofer.Server.Service;

/// <summary>
/// The handles of one client connection. Numbers are never reused within a connection, so a
/// stale handle cannot silently name a newer file, and another connection's numbers mean nothing
/// here: every lookup of a number this table did not hand out fails with EBADF.
/// </summary>
/// <param name="budget">The gofer's descriptors for handles, shared by every connection.</param>
public sealed class HandleTable(DescriptorBudget budget) : IDisposable
{
    /// <summary>
    /// A client may hold at most this many handles, whatever the budget: each is a host
    /// descriptor, and an untrusted client must not exhaust the gofer's descriptor table (which
    /// other connections share).
    /// </summary>
    public const int Limit = 65_536;

    private readonly Dictionary<ulong, Node> nodes = [];
    private int reservations;
    private ulong next;
    private bool disposed;

    /// <summary>The most handles this connection may hold: the fixed cap or its share of the budget (<see cref="DescriptorBudget.PerConnection"/>), whichever is lower.</summary>
    public int Capacity => Math.Min(Limit, budget.PerConnection);

    /// <summary>Handles held (and reserved) now.</summary>
    public int Count
    {
        get
        {
            lock (nodes)
            {
                return nodes.Count + reservations;
            }
        }
    }

    /// <summary>Takes ownership of <paramref name="node"/> and returns its handle (never 0), or EMFILE past <see cref="Capacity"/>.</summary>
    public ulong Add(Node node)
    {
        lock (nodes)
        {
            TakeToken(node);
            return Insert(node);
        }
    }

    /// <summary>
    /// Takes a handle's token now for a handle <see cref="AddReserved"/> adds later, or fails with
    /// EMFILE as <see cref="Add"/> would. For a call that makes something it cannot take back
    /// (a new name, a copied-up file) and then hands out a handle on it: failing after the make
    /// would leave the name made while the client is told it was not.
    /// </summary>
    public void Reserve()
    {
        lock (nodes)
        {
            TakeToken(null);
            reservations++;
        }
    }

    /// <summary>Adds a node with the token <see cref="Reserve"/> took.</summary>
    public ulong AddReserved(Node node)
    {
        lock (nodes)
        {
            reservations--;
            if (disposed)
            {
                budget.Return();
                node.Dispose();
                throw new ErrnoException(Errno.EBADF, "handle");
            }

            return Insert(node);
        }
    }

    /// <summary>Gives back a token <see cref="Reserve"/> took and no handle used.</summary>
    public void Unreserve()
    {
        lock (nodes)
        {
            reservations--;
        }

        budget.Return();
    }

    private void TakeToken(Node? node)
    {
        var full = nodes.Count + reservations >= Capacity;
        if (disposed || full || !budget.TryTake())
        {
            // Too many handles is EMFILE, the errno of a full descriptor table: a resource
            // failure the client must see as such (and may relieve by closing handles it
            // only caches), never as the absence of the file it asked for.
            node?.Dispose();
            throw disposed
                ? new ErrnoException(Errno.EBADF, "handle")
                : new ErrnoException(Errno.EMFILE, "handle", full
                    ? $"{Capacity} handles held on this connection"
                    : $"the gofer's {budget.Capacity} descriptors for handles are in use");
        }
    }

    private ulong Insert(Node node)
    {
        var handle = ++next;
        nodes.Add(handle, node);
        return handle;
    }

    /// <summary>
    /// The node of a handle with its descriptor held open until <see cref="Node.Release"/>, or
    /// EBADF naming the operation. Calls go through <see cref="CallHandles"/>, which releases.
    /// </summary>
    public Node Acquire(ulong handle, string operation)
    {
        lock (nodes)
        {
            if (!nodes.TryGetValue(handle, out var node))
            {
                throw new ErrnoException(Errno.EBADF, operation, $"handle {handle}");
            }

            // Under the lock: a node is disposed only after it has left the table, so one found
            // here is still open and the reference is always taken.
            node.Hold();
            return node;
        }
    }

    /// <summary>Releases a handle; false when it was not open here.</summary>
    public bool Remove(ulong handle)
    {
        Node? node;
        lock (nodes)
        {
            if (!nodes.Remove(handle, out node))
            {
                return false;
            }
        }

        budget.Return();

        // A concurrent call may still be using the descriptor: it holds a reference (Acquire),
        // and SafeHandle reference counting defers the close until it is released, so the
        // number cannot be reused under it.
        node.Dispose();
        return true;
    }

    public void Dispose()
    {
        List<Node> all;
        lock (nodes)
        {
            disposed = true;
            all = [.. nodes.Values];
            nodes.Clear();
        }

        all.ForEach(_ => budget.Return());

        all.ForEach(n => n.Dispose());
    }
}
