using System.Net.Sockets;
using Gofer.Native;
using Gofer.Protocol.Framing;
using Gofer.Protocol.V1;
using Gofer.Sentry.Connection;
using static Gofer.Server.Tests.Service.ClientShorthands;

namespace Gofer.Server.Tests.Service;

/// <summary>The framed session on the same socket as gRPC: same operations, own handles, and framing errors end only that connection.</summary>
public class FramedSessionTests
{
    private const uint Upper = InProcessGofer.UpperId;

    [Fact]
    public async Task A_pipelined_batch_is_answered_in_order_on_the_same_socket_as_grpc()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "framed");
        using var session = SessionSocket.Connect(gofer.SocketPath);

        var answers = session.CallMany([
            new SessionRequest { Attach = new AttachRequest { Layer = Upper } },
            new SessionRequest { Walk = new WalkRequest { Directory = 1, Names = { Name("f") }, Handles = WalkHandles.Last } },
            new SessionRequest { Open = new OpenRequest { Handle = 2, Flags = Syscalls.O_RDONLY } },
            new SessionRequest { Read = new ReadRequest { Handle = 3, Length = 100 } },
            new SessionRequest { Mkdir = new MkdirRequest { Directory = 1, Name = Name("d"), Mode = Octal.Of("750") } },
            new SessionRequest { Walk = new WalkRequest { Directory = 1, Names = { Name("missing") } } },
            new SessionRequest { Unlink = new UnlinkRequest { Directory = 1, Name = Name("..") } },
        ]);

        Assert.Equal(7, answers.Count);
        Assert.Equal("framed", answers[3].Read.Data.ToStringUtf8());
        Assert.True(Directory.Exists(gofer.PathOf(Upper, "d")));
        Assert.Equal(Octal.Of("750"), OnDisk.Lstat(gofer.PathOf(Upper, "d")).Mode & 0xFFF);
        Assert.Equal(WalkStatus.Stopped, answers[5].Walk.Status);
        Assert.Equal(Errno.ENOENT, answers[5].Walk.Errno);
        Assert.Equal(Errno.EINVAL, answers[6].Failure.Errno);
        Assert.Contains("unlink", answers[6].Failure.Message, StringComparison.Ordinal);

        // gRPC still works beside it on the same socket.
        Assert.NotEmpty((await gofer.Client.ListMountsAsync(new ListMountsRequest())).Mounts);
    }

    [Fact]
    public async Task Handles_of_a_framed_session_mean_nothing_elsewhere_and_die_with_it()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        ulong handle;
        using (var first = SessionSocket.Connect(gofer.SocketPath))
        {
            handle = first.Call(new SessionRequest { Attach = new AttachRequest { Layer = Upper } }).Attach.Handle;
            using var second = SessionSocket.Connect(gofer.SocketPath);
            Assert.Equal(Errno.EBADF, second.Call(new SessionRequest { Stat = new StatRequest { Handle = handle } }).Failure.Errno);
            await CallFailure.Expect(Errno.EBADF, async () => await gofer.Client.StatAsync(new StatRequest { Handle = handle }));
        }

        using var third = SessionSocket.Connect(gofer.SocketPath);
        Assert.Equal(Errno.EBADF, third.Call(new SessionRequest { Stat = new StatRequest { Handle = handle + 1 } }).Failure.Errno);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })] // a length of 4 GiB
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 })] // a varint that never ends within 32 bits
    [InlineData(new byte[] { 0x03, 0xFF, 0xFF, 0xFF })] // three bytes that are no SessionRequest
    public async Task A_malformed_frame_closes_that_connection_and_nothing_else(byte[] frame)
    {
        await using var gofer = await InProcessGofer.StartAsync();
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(gofer.SocketPath));
        await socket.SendAsync(SessionFraming.Preface.ToArray());
        await socket.SendAsync(frame);

        // The gofer answers a framing error by closing: the read sees end-of-file, not an answer.
        var buffer = new byte[16];
        Assert.Equal(0, await socket.ReceiveAsync(buffer));

        using var healthy = SessionSocket.Connect(gofer.SocketPath);
        Assert.NotEqual(0UL, healthy.Call(new SessionRequest { Attach = new AttachRequest { Layer = Upper } }).Attach.Handle);
    }

    [Fact]
    public async Task A_large_read_crosses_in_one_answer()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var data = new byte[MaxTransfer];
        Random.Shared.NextBytes(data);
        File.WriteAllBytes(gofer.PathOf(Upper, "big"), data);
        using var session = SessionSocket.Connect(gofer.SocketPath);
        var answers = session.CallMany([
            new SessionRequest { Attach = new AttachRequest { Layer = Upper } },
            new SessionRequest { Walk = new WalkRequest { Directory = 1, Names = { Name("big") }, Handles = WalkHandles.Last } },
            new SessionRequest { Open = new OpenRequest { Handle = 2, Flags = Syscalls.O_RDONLY } },
            new SessionRequest { Read = new ReadRequest { Handle = 3, Length = MaxTransfer } },
        ]);
        Assert.Equal(data, answers[3].Read.Data.ToByteArray());
    }

    [Fact]
    public async Task A_write_of_4_MiB_crosses_in_one_frame_larger_than_the_transports_buffer()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var data = new byte[MaxTransfer];
        Random.Shared.NextBytes(data);
        using var session = SessionSocket.Connect(gofer.SocketPath);
        var answers = await Task.Run(() => session.CallMany([
            new SessionRequest { Attach = new AttachRequest { Layer = Upper } },
            new SessionRequest { Create = new CreateRequest { Directory = 1, Name = Name("big"), Flags = Syscalls.O_RDWR, Mode = 0x1A4 } },
            new SessionRequest { Write = new WriteRequest { Handle = 2, Data = Google.Protobuf.ByteString.CopyFrom(data) } },
        ])).WaitAsync(TimeSpan.FromSeconds(120));
        Assert.Equal(MaxTransfer, answers[2].Write.Written);
        Assert.Equal(data, File.ReadAllBytes(gofer.PathOf(Upper, "big")));
    }

    [Fact]
    public async Task A_listing_too_large_for_one_message_fails_with_EOVERFLOW_and_the_session_goes_on()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var directory = Directory.CreateDirectory(gofer.PathOf(Upper, "huge")).FullName;
        var padding = new string('n', 240);
        var count = (Server.Service.SessionDispatcher.ListingLimit / 240) + 1;
        for (var i = 0; i < count; i++)
        {
            File.Create(Path.Combine(directory, $"{padding}{i}")).Dispose();
        }

        using var session = SessionSocket.Connect(gofer.SocketPath);
        var answers = session.CallMany([
            new SessionRequest { Attach = new AttachRequest { Layer = Upper } },
            new SessionRequest { Walk = new WalkRequest { Directory = 1, Names = { Name("huge") }, Handles = WalkHandles.Last } },
            new SessionRequest { ReadDir = new ReadDirRequest { Handle = 2 } },
            new SessionRequest { Stat = new StatRequest { Handle = 2 } },
        ]);
        Assert.Equal(Errno.EOVERFLOW, answers[2].Failure.Errno);
        Assert.Equal(SessionResponse.ResultOneofCase.Stat, answers[3].ResultCase);
    }

    private const int MaxTransfer = Server.Service.FileOperations.MaxTransfer;
}
