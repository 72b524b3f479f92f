using Gofer.Protocol.V1;
using Google.Protobuf;
using Grpc.Core;
using static Gofer.Protocol.V1.FileService;

namespace Gofer.Server.Tests.Service;

/// <summary>The calls tests make over and over, spelled short. Each asserts only what it needs to hand back a result.</summary>
public static class ClientShorthands
{
    /// <summary>A name (or symlink target) as the wire carries it.</summary>
    public static ByteString Name(string name) => ByteString.CopyFromUtf8(name);

    /// <summary>The handle of a layer's root directory.</summary>
    public static async Task<ulong> RootAsync(this FileServiceClient client, uint layer) =>
        (await client.AttachAsync(new AttachRequest { Layer = layer })).Handle;

    /// <summary>A path handle on <paramref name="path"/> inside a layer, by one Walk that must complete.</summary>
    public static async Task<ulong> LookupAsync(this FileServiceClient client, uint layer, params string[] path)
    {
        var root = await client.RootAsync(layer);
        if (path.Length == 0)
        {
            return root;
        }

        var walk = await client.WalkAsync(new WalkRequest { Directory = root, Names = { path.Select(Name) }, Handles = WalkHandles.Last });
        Assert.Equal(WalkStatus.Complete, walk.Status);
        return walk.Entries[^1].Handle;
    }

    /// <summary>An open handle on <paramref name="path"/> inside a layer.</summary>
    public static async Task<ulong> OpenAsync(this FileServiceClient client, uint layer, string path, int flags)
    {
        var handle = await client.LookupAsync(layer, path.Split('/'));
        return (await client.OpenAsync(new OpenRequest { Handle = handle, Flags = (uint)flags })).Handle;
    }

    /// <summary>Everything ReadStream answers, concatenated.</summary>
    public static async Task<byte[]> ReadAllAsync(this FileServiceClient client, ulong handle, long offset = 0, long length = 0)
    {
        using var call = client.ReadStream(new ReadRequest { Handle = handle, Offset = offset, Length = length });
        var data = new MemoryStream();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync())
        {
            chunk.Data.WriteTo(data);
        }

        return data.ToArray();
    }

    /// <summary>The batches of one ReadDir, as they arrived.</summary>
    public static async Task<List<ReadDirResponse>> ReadDirAsync(this FileServiceClient client, ulong directory, bool withStat = false, uint batchSize = 0)
    {
        using var call = client.ReadDir(new ReadDirRequest { Handle = directory, WithStat = withStat, BatchSize = batchSize });
        return await call.ResponseStream.ReadAllAsync().ToListAsync();
    }

    /// <summary>Every entry of a directory, by name (as UTF-8 text).</summary>
    public static async Task<Dictionary<string, DirEntry>> ListAsync(this FileServiceClient client, ulong directory, bool withStat = false)
    {
        var batches = await client.ReadDirAsync(directory, withStat);
        return batches.SelectMany(b => b.Entries).ToDictionary(e => e.Name.ToStringUtf8());
    }
}
