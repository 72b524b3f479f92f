using Gofer.Native;

namespace Gofer.Server.Service;

/// <summary>
/// How many descriptors the gofer may hold for clients' handles, all connections together. Every
/// handle is one host descriptor, and the process's descriptor table is finite: a gofer that let
/// handles fill it would fail its own work (accepting a connection, a copy-up's temporary file, a
/// listing) with EMFILE, and a client's lookups would fail in ways it may misread. So handles take
/// a token from this budget, the rest of the table stays a reserve for everything else, and a
/// handle refused for want of a token fails with EMFILE — a resource failure, never absence.
/// </summary>
/// <remarks>
/// Connections are descriptors too: each accepted socket is one. They are bounded by
/// <see cref="Connections"/>, a share of the table set aside next to the reserve, so that handles,
/// connections and the reserve together never exceed the limit and accept(2) never meets EMFILE
/// (the server's accept loop retries a failed accept at once, and would spin on a full table).
/// </remarks>
public sealed class DescriptorBudget
{
    /// <summary>
    /// Connections a gofer accepts at once, at most. A gofer serves one container: its sentry
    /// opens a few, tools a few more. The bound is also what keeps memory bounded: an open
    /// connection costs ~16 KiB idle and up to one reply (4 MiB) and a transport buffer (1 MiB)
    /// when its client stops reading, so 256 of them cost at most ~1.3 GiB, each misbehaving.
    /// </summary>
    public const int MaxConnections = 256;

    private int used;
    private int peak;

    /// <param name="capacity">Handles (descriptors) all connections together may hold.</param>
    /// <param name="connections">Connections open at once; by default <see cref="MaxConnections"/>.</param>
    public DescriptorBudget(int capacity, int connections = MaxConnections)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(connections);
        Capacity = capacity;
        Connections = connections;
    }

    /// <summary>Most handles (descriptors) held at once.</summary>
    public int Capacity { get; }

    /// <summary>Most client connections open at once; past it a new one is closed as soon as it is accepted.</summary>
    public int Connections { get; }

    /// <summary>
    /// Most handles one connection may hold: half of <see cref="Capacity"/>. One client can then
    /// never take the whole budget — whatever it holds, another connection can still make handles —
    /// while a single sentry (the usual and only heavy client) still gets most of the table. An
    /// even split by <see cref="Connections"/> would starve that sentry to protect clients that
    /// are rarely there.
    /// </summary>
    public int PerConnection => Math.Max(1, Capacity / 2);

    /// <summary>Handles held now.</summary>
    public int InUse => Volatile.Read(ref used);

    /// <summary>Most handles held at once so far.</summary>
    public int Peak => Volatile.Read(ref peak);

    /// <summary>Takes one token; false when all are in use.</summary>
    public bool TryTake()
    {
        var now = Interlocked.Increment(ref used);
        if (now > Capacity)
        {
            Interlocked.Decrement(ref used);
            return false;
        }

        for (var seen = Volatile.Read(ref peak); now > seen; seen = Volatile.Read(ref peak))
        {
            if (Interlocked.CompareExchange(ref peak, now, seen) == seen)
            {
                break;
            }
        }

        return true;
    }

    /// <summary>Gives back a token taken by <see cref="TryTake"/>.</summary>
    public void Return() => Interlocked.Decrement(ref used);

    /// <summary>
    /// The budget of this process: RLIMIT_NOFILE's soft limit is first raised to the hard one
    /// (the soft limit is a default for programs that use select(2), which the gofer does not;
    /// the hard limit is what the operator granted), then an eighth of it, at least 64, is kept
    /// back for what is not a handle — the listening socket, each client's connection, the
    /// runtime's own descriptors, and the short-lived ones a call opens and closes (a walk's
    /// intermediate directories, a copy-up's temporary file, a listing).
    /// </summary>
    public static DescriptorBudget FromProcessLimit()
    {
        var (soft, hard) = Syscalls.DescriptorLimit();
        if (hard > soft && Syscalls.SetDescriptorSoftLimit(hard) == 0)
        {
            soft = hard;
        }

        return ForLimit((int)Math.Min(soft, int.MaxValue));
    }

    /// <summary>The budget under a descriptor limit: <see cref="ConnectionsFor"/>, then handles share what is left.</summary>
    public static DescriptorBudget ForLimit(int limit) => new(CapacityFor(limit), ConnectionsFor(limit));

    /// <summary>What a descriptor limit leaves for handles once the reserve and the connections are kept back.</summary>
    public static int CapacityFor(int limit) => Math.Max(1, limit - Reserve(limit) - ConnectionsFor(limit));

    /// <summary>
    /// Connections allowed under a limit: an eighth of what the reserve leaves, at least 4 (a
    /// sentry and a tool or two must always get in), at most <see cref="MaxConnections"/>.
    /// </summary>
    public static int ConnectionsFor(int limit) => Math.Clamp((limit - Reserve(limit)) / 8, 4, MaxConnections);

    /// <summary>Descriptors kept back from handles under a limit.</summary>
    public static int Reserve(int limit) => Math.Max(64, limit / 8);
}
