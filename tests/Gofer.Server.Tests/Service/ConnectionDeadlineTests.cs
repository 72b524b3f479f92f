using System.Net.Sockets;
using Gofer.Protocol.V1;
using Gofer.Server.Hosting;
using Gofer.Server.Tests.EndToEnd;

namespace Gofer.Server.Tests.Service;

/// <summary>
/// Connections that do not do their part are closed: one that never says what it speaks (nothing,
/// half a session preface, half of HTTP/2's) after the preface deadline, one that asks nothing and
/// holds no handles after the idle deadline. One that holds handles is the client's state and stays.
/// </summary>
public sealed class ConnectionDeadlineTests
{
    private static readonly ConnectionDeadlines Short = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

    /// <summary>How long past a deadline the close may take on a loaded machine before the test calls it missed.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    public async Task A_connection_without_a_whole_preface_is_closed_after_the_preface_deadline(int prefaceBytes)
    {
        await using var gofer = await InProcessGofer.StartAsync(Short);
        using var silent = RawSession.Connect(gofer.SocketPath, prefaceBytes);

        Assert.True(await silent.ClosedWithinAsync(Short.Preface + Margin), "a connection that never finished its preface stayed open");
    }

    [Fact]
    public async Task Half_an_HTTP2_preface_is_closed_after_the_preface_deadline()
    {
        await using var gofer = await InProcessGofer.StartAsync(Short);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(gofer.SocketPath));
        await socket.SendAsync("PRI * HTTP/2.0\r\n"u8.ToArray());

        using var timeout = new CancellationTokenSource(Short.Preface + Margin);
        Assert.Equal(0, await socket.ReceiveAsync(new byte[1024], SocketFlags.None, timeout.Token));
    }

    [Fact]
    public async Task An_idle_session_without_handles_is_closed_and_one_holding_handles_is_kept()
    {
        await using var gofer = await InProcessGofer.StartAsync(Short);
        using var idle = RawSession.Connect(gofer.SocketPath);
        idle.Send([new SessionRequest { Tag = 1, ListMounts = new ListMountsRequest() }]);
        using var holding = Sentry.Connection.SessionSocket.Connect(gofer.SocketPath);
        var handle = holding.Call(new SessionRequest { Attach = new AttachRequest { Layer = InProcessGofer.UpperId } }).Attach.Handle;

        Assert.True(await idle.ClosedWithinAsync(Short.Idle + Margin), "an idle connection without handles stayed open");

        // Past two more idle deadlines the connection holding a handle still answers with it.
        // (A wait for something that must not happen: there is no event to wait on.)
        await Task.Delay(Short.Idle * 2);
        Assert.Equal(SessionResponse.ResultOneofCase.Stat, holding.Call(new SessionRequest { Stat = new StatRequest { Handle = handle } }).ResultCase);
    }
}
