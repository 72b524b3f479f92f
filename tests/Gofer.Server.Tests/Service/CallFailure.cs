using System.Globalization;
using Gofer.Native;
using Gofer.Server.Service;
using Grpc.Core;

namespace Gofer.Server.Tests.Service;

/// <summary>How a unary or streaming call failed, as a client sees it: the errno trailer, the status message and the SetAttr part.</summary>
public sealed record CallFailure(int Errno, string Message, string? FailedPart)
{
    /// <summary>
    /// Runs a call that must fail and reads its failure. Every failure must carry the
    /// <c>gofer-errno</c> trailer, a status code derived from it, and a message naming the errno.
    /// </summary>
    public static async Task<CallFailure> Of(Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        var trailer = e.Trailers.GetValue(Failures.ErrnoTrailer);
        Assert.True(trailer is not null, $"no {Failures.ErrnoTrailer} trailer on: {e.Status}");
        var errno = int.Parse(trailer, NumberStyles.None, CultureInfo.InvariantCulture);
        Assert.Equal(Failures.StatusCodeOf(errno), e.StatusCode);
        Assert.Contains(Native.Errno.Name(errno), e.Status.Detail, StringComparison.Ordinal);
        return new CallFailure(errno, e.Status.Detail, e.Trailers.GetValue(Failures.FailedPartTrailer));
    }

    /// <inheritdoc cref="Of(Func{Task})"/>
    public static Task<CallFailure> Of<T>(Func<AsyncUnaryCall<T>> call) => Of(async () => await call());

    /// <summary>Runs a call that must fail with <paramref name="errno"/>; returns the failure for more checks.</summary>
    public static async Task<CallFailure> Expect(int errno, Func<Task> call)
    {
        var failure = await Of(call);
        Assert.True(failure.Errno == errno, $"expected {Native.Errno.Name(errno)}, got: {failure.Message}");
        return failure;
    }

    /// <inheritdoc cref="Expect(int, Func{Task})"/>
    public static Task<CallFailure> Expect<T>(int errno, Func<AsyncUnaryCall<T>> call) => Expect(errno, async () => await call());
}
