using Gofer.Protocol.V1;

namespace Gofer.Server.Service;

/// <summary>
/// Runs the operations that may hold a thread for long — a copy-up (it copies the whole file), a
/// read or write of more than <see cref="ShortTransfer"/>, an fsync, a whole listing — on threads
/// of their own, never on a thread others wait on. The framed session runs its requests inline
/// on the socket's event thread (one for the whole process on a small machine) and gRPC's on the
/// thread pool (2 threads on 2 cores, one more added about every half second when they are
/// blocked): a 2 GiB copy-up on either stalled every other connection for seconds. A dedicated
/// thread costs tens of microseconds, nothing next to the work it is started for.
/// </summary>
public static class LongOperations
{
    /// <summary>A read or write up to this many bytes is short: served where it arrives.</summary>
    public const int ShortTransfer = 64 << 10;

    /// <summary>
    /// Long operations running at once, all connections together; more wait (without a thread)
    /// for one to finish. Bounds the threads a storm of big requests can make.
    /// </summary>
    public const int MaxRunning = 32;

    private static readonly SemaphoreSlim Running = new(MaxRunning);

    /// <summary>Whether a framed-session or Session-stream request is long (see the class summary).</summary>
    public static bool IsLong(SessionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.OpCase switch
        {
            SessionRequest.OpOneofCase.CopyUp or SessionRequest.OpOneofCase.Fsync or SessionRequest.OpOneofCase.ReadDir => true,
            SessionRequest.OpOneofCase.Read => request.Read.Length > ShortTransfer,
            SessionRequest.OpOneofCase.Write => request.Write.Data.Length > ShortTransfer,
            _ => false,
        };
    }

    /// <summary>Runs <paramref name="operation"/> on a thread of its own once fewer than <see cref="MaxRunning"/> are.</summary>
    public static async Task<T> RunAsync<T>(Func<T> operation)
    {
        await Running.WaitAsync().ConfigureAwait(false);
        try
        {
            return await Task.Factory.StartNew(operation, CancellationToken.None, TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default).ConfigureAwait(false);
        }
        finally
        {
            Running.Release();
        }
    }
}
