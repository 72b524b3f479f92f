using Gofer.Native;

namespace Gofer.Server.Service;

/// <summary>
/// The handles of one client connection. Numbers are never reused within a connection, so a
/// stale handle cannot silently name a newer file, and another connection's numbers mean nothing
/// here: every lookup of a number this table did not hand out fails with EBADF.
/// </summary>
public sealed class HandleTable : IDisposable
{
    /// <summary>
    /// A client may hold at most this many handles: each is a host descriptor, and an untrusted
    /// client must not exhaust the gofer's descriptor table (which other connections share).
    /// </summary>
    public const int Limit = 65_536;

    private readonly Dictionary<ulong, Node> nodes = [];
    private ulong next;
    private bool disposed;

    /// <summary>Takes ownership of <paramref name="node"/> and returns its handle (never 0).</summary>
    public ulong Add(Node node)
    {
        lock (nodes)
        {
            if (disposed || nodes.Count >= Limit)
            {
                node.Dispose();
                throw new ErrnoException(disposed ? Errno.EBADF : Errno.EMFILE, "handle");
            }

            var handle = ++next;
            nodes.Add(handle, node);
            return handle;
        }
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

        all.ForEach(n => n.Dispose());
    }
}
