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
public sealed class DescriptorBudget
{
    private int used;
    private int peak;

    public DescriptorBudget(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
    }

    /// <summary>Most handles (descriptors) held at once.</summary>
    public int Capacity { get; }

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

        var limit = (int)Math.Min(soft, int.MaxValue);
        return new DescriptorBudget(CapacityFor(limit));
    }

    /// <summary>What a descriptor limit leaves for handles once the reserve is kept back.</summary>
    public static int CapacityFor(int limit) => Math.Max(1, limit - Reserve(limit));

    /// <summary>Descriptors kept back from handles under a limit.</summary>
    public static int Reserve(int limit) => Math.Max(64, limit / 8);
}
