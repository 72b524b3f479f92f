using Gofer.Protocol.V1;

namespace Gofer.Server.Service;

/// <summary>Answers the requests of one Session stream, each with the same tag, failures in-band.</summary>
public sealed class SessionDispatcher(FileOperations operations, HandleTable table)
{
    public SessionResponse Handle(SessionRequest request)
    {
        var response = new SessionResponse { Tag = request.Tag };
        try
        {
            Dispatch(request, response);
        }
        catch (Exception e) when (Failures.Describe(e) is { } failure)
        {
            response.Failure = failure;
        }

        return response;
    }

    private void Dispatch(SessionRequest request, SessionResponse response)
    {
        switch (request.OpCase)
        {
            case SessionRequest.OpOneofCase.ListMounts: response.ListMounts = operations.ListMounts(); break;
            case SessionRequest.OpOneofCase.Attach: response.Attach = operations.Attach(table, request.Attach); break;
            case SessionRequest.OpOneofCase.Walk: response.Walk = operations.Walk(table, request.Walk); break;
            case SessionRequest.OpOneofCase.Stat: response.Stat = operations.Stat(table, request.Stat); break;
            case SessionRequest.OpOneofCase.Open: response.Open = operations.Open(table, request.Open); break;
            case SessionRequest.OpOneofCase.Create: response.Create = operations.Create(table, request.Create); break;
            case SessionRequest.OpOneofCase.Read: response.Read = operations.Read(table, request.Read); break;
            case SessionRequest.OpOneofCase.Write: response.Write = operations.Write(table, request.Write); break;
            case SessionRequest.OpOneofCase.Mkdir: response.Mkdir = operations.Mkdir(table, request.Mkdir); break;
            case SessionRequest.OpOneofCase.Mknod: response.Mknod = operations.Mknod(table, request.Mknod); break;
            case SessionRequest.OpOneofCase.Symlink: response.Symlink = operations.Symlink(table, request.Symlink); break;
            case SessionRequest.OpOneofCase.Link: response.Link = operations.Link(table, request.Link); break;
            case SessionRequest.OpOneofCase.Readlink: response.Readlink = operations.Readlink(table, request.Readlink); break;
            case SessionRequest.OpOneofCase.Unlink: response.Unlink = operations.Unlink(table, request.Unlink); break;
            case SessionRequest.OpOneofCase.Rename: response.Rename = operations.Rename(table, request.Rename); break;
            case SessionRequest.OpOneofCase.SetAttr: response.SetAttr = operations.SetAttr(table, request.SetAttr); break;
            case SessionRequest.OpOneofCase.GetXattr: response.GetXattr = operations.GetXattr(table, request.GetXattr); break;
            case SessionRequest.OpOneofCase.SetXattr: response.SetXattr = operations.SetXattr(table, request.SetXattr); break;
            case SessionRequest.OpOneofCase.ListXattr: response.ListXattr = operations.ListXattr(table, request.ListXattr); break;
            case SessionRequest.OpOneofCase.RemoveXattr: response.RemoveXattr = operations.RemoveXattr(table, request.RemoveXattr); break;
            case SessionRequest.OpOneofCase.StatFs: response.StatFs = operations.StatFs(table, request.StatFs); break;
            case SessionRequest.OpOneofCase.Fsync: response.Fsync = operations.Fsync(table, request.Fsync); break;
            case SessionRequest.OpOneofCase.Close: response.Close = operations.Close(table, request.Close); break;
            case SessionRequest.OpOneofCase.ReadDir:
                var all = new ReadDirResponse();
                foreach (var batch in operations.ReadDir(table, request.ReadDir))
                {
                    all.Entries.Add(batch.Entries);
                }

                response.ReadDir = all;
                break;
            default:
                throw new Native.ErrnoException(Native.Errno.EINVAL, "session", "request without an operation");
        }
    }
}
