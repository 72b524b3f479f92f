using Gofer.Protocol.V1;

namespace Gofer.Server.Service;

/// <summary>Answers the requests of one Session stream, each with the same tag, failures in-band.</summary>
public sealed class SessionDispatcher(FileOperations operations, HandleTable table)
{
    /// <summary>The most bytes of entries one session listing may hold: a frame, less room for the envelope.</summary>
    public const int ListingLimit = Protocol.Framing.SessionFraming.MaxMessageSize - (4 << 10);

    /// <summary>Answers a request: a long one (<see cref="LongOperations.IsLong"/>) on a thread of its own, any other where it arrives.</summary>
    public ValueTask<SessionResponse> HandleAsync(SessionRequest request) =>
        LongOperations.IsLong(request)
            ? new ValueTask<SessionResponse>(LongOperations.RunAsync(() => Handle(request)))
            : ValueTask.FromResult(Handle(request));

    public SessionResponse Handle(SessionRequest request)
    {
        var response = new SessionResponse { Tag = request.Tag };
        using var handles = new CallHandles(table);
        try
        {
            Dispatch(request, response, handles);
        }
        catch (Exception e) when (Failures.Describe(e) is { } failure)
        {
            response.Failure = failure;
        }

        return response;
    }

    private void Dispatch(SessionRequest request, SessionResponse response, CallHandles handles)
    {
        switch (request.OpCase)
        {
            case SessionRequest.OpOneofCase.ListMounts: response.ListMounts = operations.ListMounts(handles); break;
            case SessionRequest.OpOneofCase.Attach: response.Attach = operations.Attach(handles, request.Attach); break;
            case SessionRequest.OpOneofCase.Walk: response.Walk = operations.Walk(handles, request.Walk); break;
            case SessionRequest.OpOneofCase.Stat: response.Stat = operations.Stat(handles, request.Stat); break;
            case SessionRequest.OpOneofCase.Open: response.Open = operations.Open(handles, request.Open); break;
            case SessionRequest.OpOneofCase.Create: response.Create = operations.Create(handles, request.Create); break;
            case SessionRequest.OpOneofCase.Read: response.Read = operations.Read(handles, request.Read); break;
            case SessionRequest.OpOneofCase.Write: response.Write = operations.Write(handles, request.Write); break;
            case SessionRequest.OpOneofCase.Mkdir: response.Mkdir = operations.Mkdir(handles, request.Mkdir); break;
            case SessionRequest.OpOneofCase.Mknod: response.Mknod = operations.Mknod(handles, request.Mknod); break;
            case SessionRequest.OpOneofCase.Symlink: response.Symlink = operations.Symlink(handles, request.Symlink); break;
            case SessionRequest.OpOneofCase.Link: response.Link = operations.Link(handles, request.Link); break;
            case SessionRequest.OpOneofCase.Readlink: response.Readlink = operations.Readlink(handles, request.Readlink); break;
            case SessionRequest.OpOneofCase.Unlink: response.Unlink = operations.Unlink(handles, request.Unlink); break;
            case SessionRequest.OpOneofCase.Rename: response.Rename = operations.Rename(handles, request.Rename); break;
            case SessionRequest.OpOneofCase.SetAttr: response.SetAttr = operations.SetAttr(handles, request.SetAttr); break;
            case SessionRequest.OpOneofCase.GetXattr: response.GetXattr = operations.GetXattr(handles, request.GetXattr); break;
            case SessionRequest.OpOneofCase.SetXattr: response.SetXattr = operations.SetXattr(handles, request.SetXattr); break;
            case SessionRequest.OpOneofCase.ListXattr: response.ListXattr = operations.ListXattr(handles, request.ListXattr); break;
            case SessionRequest.OpOneofCase.RemoveXattr: response.RemoveXattr = operations.RemoveXattr(handles, request.RemoveXattr); break;
            case SessionRequest.OpOneofCase.StatFs: response.StatFs = operations.StatFs(handles, request.StatFs); break;
            case SessionRequest.OpOneofCase.Fsync: response.Fsync = operations.Fsync(handles, request.Fsync); break;
            case SessionRequest.OpOneofCase.CopyUp: response.CopyUp = operations.CopyUp(handles, request.CopyUp); break;
            case SessionRequest.OpOneofCase.Close: response.Close = operations.Close(handles, request.Close); break;
            case SessionRequest.OpOneofCase.ReadDir:
                // A session answers a listing in one message, so it is bounded as every message
                // is: built up to the frame limit and refused past it, never held whole in memory
                // first (a client can make a directory as large as the upper's disk allows) nor
                // sent as a frame the client must refuse. ReadDir over gRPC streams any size.
                var all = new ReadDirResponse();
                var size = 0L;
                foreach (var batch in operations.ReadDir(handles, request.ReadDir))
                {
                    size += batch.CalculateSize();
                    if (size > ListingLimit)
                    {
                        throw new Native.ErrnoException(Native.Errno.EOVERFLOW, "readdir", $"the listing is over the {ListingLimit}-byte session message limit (use the ReadDir stream)");
                    }

                    all.Entries.Add(batch.Entries);
                }

                response.ReadDir = all;
                break;
            default:
                throw new Native.ErrnoException(Native.Errno.EINVAL, "session", "request without an operation");
        }
    }
}
