using Gofer.Protocol.V1;
using Grpc.Core;

namespace Gofer.Server.Service;

/// <summary>The gRPC face of <see cref="FileOperations"/>: one unary call per operation, streams for bulk data, and the Session stream.</summary>
public sealed class FileService(FileOperations operations, ConnectionRegistry connections) : Protocol.V1.FileService.FileServiceBase
{
    /// <summary>Chunk size of ReadStream.</summary>
    public const int StreamChunk = 1 << 20;

    public override Task<ListMountsResponse> ListMounts(ListMountsRequest request, ServerCallContext context) =>
        Unary(context, handles => operations.ListMounts(handles));

    public override Task<AttachResponse> Attach(AttachRequest request, ServerCallContext context) =>
        Unary(context, t => operations.Attach(t, request));

    public override Task<WalkResponse> Walk(WalkRequest request, ServerCallContext context) =>
        Unary(context, t => operations.Walk(t, request));

    public override Task<StatResponse> Stat(StatRequest request, ServerCallContext context) =>
        Unary(context, t => operations.Stat(t, request));

    public override Task<OpenResponse> Open(OpenRequest request, ServerCallContext context) =>
        Unary(context, t => operations.Open(t, request));

    public override Task<CreateResponse> Create(CreateRequest request, ServerCallContext context) =>
        Unary(context, t => operations.Create(t, request));

    public override Task<ReadResponse> Read(ReadRequest request, ServerCallContext context) =>
        request.Length > LongOperations.ShortTransfer
            ? LongUnary(context, t => operations.Read(t, request))
            : Unary(context, t => operations.Read(t, request));

    public override Task ReadStream(ReadRequest request, IServerStreamWriter<ReadResponse> responseStream, ServerCallContext context) =>
        Stream(context, responseStream, t => operations.ReadChunks(t, request, StreamChunk));

    public override Task<WriteResponse> Write(WriteRequest request, ServerCallContext context) =>
        request.Data.Length > LongOperations.ShortTransfer
            ? LongUnary(context, t => operations.Write(t, request))
            : Unary(context, t => operations.Write(t, request));

    public override async Task<WriteResponse> WriteStream(IAsyncStreamReader<WriteRequest> requestStream, ServerCallContext context)
    {
        var table = Table(context);
        var total = 0L;
        await foreach (var chunk in requestStream.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            // One chunk is one call: its handle is held for that write only.
            using var handles = new CallHandles(table);
            total += Run(() => operations.Write(handles, chunk)).Written;
        }

        return new WriteResponse { Written = total };
    }

    public override Task ReadDir(ReadDirRequest request, IServerStreamWriter<ReadDirResponse> responseStream, ServerCallContext context) =>
        Stream(context, responseStream, t => operations.ReadDir(t, request));

    public override Task<MkdirResponse> Mkdir(MkdirRequest request, ServerCallContext context) =>
        Unary(context, t => operations.Mkdir(t, request));

    public override Task<MknodResponse> Mknod(MknodRequest request, ServerCallContext context) =>
        Unary(context, t => operations.Mknod(t, request));

    public override Task<SymlinkResponse> Symlink(SymlinkRequest request, ServerCallContext context) =>
        Unary(context, t => operations.Symlink(t, request));

    public override Task<LinkResponse> Link(LinkRequest request, ServerCallContext context) =>
        Unary(context, t => operations.Link(t, request));

    public override Task<ReadlinkResponse> Readlink(ReadlinkRequest request, ServerCallContext context) =>
        Unary(context, t => operations.Readlink(t, request));

    public override Task<UnlinkResponse> Unlink(UnlinkRequest request, ServerCallContext context) =>
        Unary(context, t => operations.Unlink(t, request));

    public override Task<RenameResponse> Rename(RenameRequest request, ServerCallContext context) =>
        Unary(context, t => operations.Rename(t, request));

    public override Task<SetAttrResponse> SetAttr(SetAttrRequest request, ServerCallContext context) =>
        Unary(context, t => operations.SetAttr(t, request));

    public override Task<GetXattrResponse> GetXattr(GetXattrRequest request, ServerCallContext context) =>
        Unary(context, t => operations.GetXattr(t, request));

    public override Task<SetXattrResponse> SetXattr(SetXattrRequest request, ServerCallContext context) =>
        Unary(context, t => operations.SetXattr(t, request));

    public override Task<ListXattrResponse> ListXattr(ListXattrRequest request, ServerCallContext context) =>
        Unary(context, t => operations.ListXattr(t, request));

    public override Task<RemoveXattrResponse> RemoveXattr(RemoveXattrRequest request, ServerCallContext context) =>
        Unary(context, t => operations.RemoveXattr(t, request));

    public override Task<StatFsResponse> StatFs(StatFsRequest request, ServerCallContext context) =>
        Unary(context, t => operations.StatFs(t, request));

    public override Task<FsyncResponse> Fsync(FsyncRequest request, ServerCallContext context) =>
        LongUnary(context, t => operations.Fsync(t, request));

    public override Task<CopyUpResponse> CopyUp(CopyUpRequest request, ServerCallContext context) =>
        LongUnary(context, t => operations.CopyUp(t, request));

    public override Task<CloseResponse> Close(CloseRequest request, ServerCallContext context) =>
        Unary(context, t => operations.Close(t, request));

    public override async Task Session(IAsyncStreamReader<SessionRequest> requestStream, IServerStreamWriter<SessionResponse> responseStream, ServerCallContext context)
    {
        var dispatcher = new SessionDispatcher(operations, Table(context));
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(await dispatcher.HandleAsync(request).ConfigureAwait(false), context.CancellationToken).ConfigureAwait(false);
        }
    }

    private HandleTable Table(ServerCallContext context) =>
        Run(() => connections.Get(context.GetHttpContext().Connection.Id));

    private Task<T> Unary<T>(ServerCallContext context, Func<CallHandles, T> operation)
    {
        using var handles = new CallHandles(Table(context));
        return Task.FromResult(Run(() => operation(handles)));
    }

    /// <summary>A unary call that may hold its thread for long: run where it blocks no one else (<see cref="LongOperations"/>).</summary>
    private async Task<T> LongUnary<T>(ServerCallContext context, Func<CallHandles, T> operation)
    {
        var table = Table(context);
        return await LongOperations.RunAsync(() =>
        {
            using var handles = new CallHandles(table);
            return Run(() => operation(handles));
        }).ConfigureAwait(false);
    }

    /// <summary>Streams an operation's items; its handles stay held until the last is sent.</summary>
    private async Task Stream<T>(ServerCallContext context, IServerStreamWriter<T> writer, Func<CallHandles, IEnumerable<T>> operation)
    {
        using var handles = new CallHandles(Table(context));
        using var items = Run(() => operation(handles).GetEnumerator());
        while (Run(items.MoveNext))
        {
            await writer.WriteAsync(items.Current, context.CancellationToken).ConfigureAwait(false);
        }
    }

    private static T Run<T>(Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (Exception e) when (Failures.Describe(e) is { } failure)
        {
            throw Failures.ToRpcException(failure);
        }
    }
}
