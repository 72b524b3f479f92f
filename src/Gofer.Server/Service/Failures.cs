using System.Globalization;
using Gofer.Native;
using Gofer.Protocol.V1;
using Grpc.Core;

namespace Gofer.Server.Service;

/// <summary>How an operation's failure travels: a gRPC status with the exact errno in a trailer, or a Session <see cref="Failure"/>.</summary>
public static class Failures
{
    /// <summary>The trailer that carries the decimal Linux errno of a failed unary call.</summary>
    public const string ErrnoTrailer = "gofer-errno";

    /// <summary>The trailer that names the failed part of a SetAttr.</summary>
    public const string FailedPartTrailer = "gofer-failed-part";

    /// <summary>The errno, message and SetAttr part of an operation's exception; null for anything else.</summary>
    public static Failure? Describe(Exception exception) => exception switch
    {
        ErrnoException e => new Failure { Errno = e.Errno, Message = e.Message },
        SetAttrException e => new Failure { Errno = e.Errno, Message = e.Message, FailedPart = e.Part },
        _ => null,
    };

    public static RpcException ToRpcException(Failure failure)
    {
        var trailers = new Metadata { { ErrnoTrailer, failure.Errno.ToString(CultureInfo.InvariantCulture) } };
        if (failure.FailedPart != SetAttrPart.None)
        {
            trailers.Add(FailedPartTrailer, failure.FailedPart.ToString().ToLowerInvariant());
        }

        return new RpcException(new Status(StatusCodeOf(failure.Errno), failure.Message), trailers);
    }

    /// <summary>A gRPC status code for people and generic tools; the errno trailer is the exact answer.</summary>
    public static StatusCode StatusCodeOf(int errno) => errno switch
    {
        Errno.ENOENT => StatusCode.NotFound,
        Errno.EEXIST => StatusCode.AlreadyExists,
        Errno.EPERM or Errno.EACCES => StatusCode.PermissionDenied,
        Errno.EINVAL or Errno.ENAMETOOLONG or Errno.E2BIG or Errno.ERANGE or Errno.ENOTDIR or Errno.EISDIR or Errno.ELOOP => StatusCode.InvalidArgument,
        Errno.EBADF or Errno.EROFS or Errno.ENOTEMPTY or Errno.EXDEV or Errno.EBUSY or Errno.ENXIO => StatusCode.FailedPrecondition,
        Errno.ENOSPC or Errno.EDQUOT or Errno.EMFILE or Errno.ENFILE or Errno.EMLINK => StatusCode.ResourceExhausted,
        Errno.ENODATA => StatusCode.NotFound,
        Errno.EOPNOTSUPP or Errno.ENOSYS => StatusCode.Unimplemented,
        Errno.EAGAIN => StatusCode.Unavailable,
        _ => StatusCode.Internal,
    };
}
