using Gofer.Protocol.V1;
using Google.Protobuf;

namespace Gofer.Server.Tests.Service;

public class SmokeTests
{
    [Fact]
    public async Task Create_write_read_round_trip()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var client = gofer.Connect();
        var root = await client.AttachAsync(new AttachRequest { Layer = InProcessGofer.UpperId });
        var created = await client.CreateAsync(new CreateRequest { Directory = root.Handle, Name = ByteString.CopyFromUtf8("f"), Flags = 2, Mode = 0x1A4 });
        await client.WriteAsync(new WriteRequest { Handle = created.Handle, Data = ByteString.CopyFromUtf8("hello") });
        var read = await client.ReadAsync(new ReadRequest { Handle = created.Handle, Length = 100 });
        Assert.Equal("hello", read.Data.ToStringUtf8());
        Assert.Equal("hello", File.ReadAllText(Path.Combine(gofer.Upper, "f")));
    }
}
