using Gofer.Native;
using Gofer.Protocol.V1;
using Gofer.Sentry.Connection;

namespace Gofer.Sentry.Composition;

/// <summary>
/// The sentry's conversation with one gofer: a framed session plus the handles it no longer
/// needs, which ride along with the next request instead of costing a round trip of their own.
/// </summary>
public sealed class GoferSession(SessionSocket socket) : IDisposable
{
    private readonly List<ulong> unused = [];

    /// <summary>Round trips made so far (for budgets and benchmarks).</summary>
    public long RoundTrips => socket.RoundTrips;

    /// <summary>Sends one request; a failure becomes an <see cref="ErrnoException"/> with the gofer's errno.</summary>
    public SessionResponse Call(SessionRequest request) => Check(CallMany([request])[0]);

    /// <summary>Sends a batch in one round trip; failures stay in the answers for the caller to read.</summary>
    public IReadOnlyList<SessionResponse> CallMany(IReadOnlyList<SessionRequest> requests)
    {
        if (unused.Count == 0)
        {
            return socket.CallMany(requests);
        }

        var close = new SessionRequest { Close = new CloseRequest { Handles = { unused } } };
        unused.Clear();
        return socket.CallMany([close, .. requests]).Skip(1).ToList();
    }

    /// <summary>Marks handles for release with the next request.</summary>
    public void Release(IEnumerable<ulong> handles) => unused.AddRange(handles.Where(h => h != 0));

    /// <summary>Throws the failure of an answer, if it is one.</summary>
    public static SessionResponse Check(SessionResponse response) =>
        response.ResultCase == SessionResponse.ResultOneofCase.Failure
            ? throw new ErrnoException(response.Failure.Errno, response.Failure.Message)
            : response;

    public void Dispose() => socket.Dispose();
}
