using Gofer.Native;
using Gofer.Protocol.V1;
using Grpc.Core;
using static Gofer.Server.Tests.Service.ClientShorthands;

namespace Gofer.Server.Tests.Service;

/// <summary>Handles: numbering, Close, one connection's handles meaning nothing on another, and release when a connection ends.</summary>
public class HandleTests
{
    private const uint Upper = InProcessGofer.UpperId;

    [Fact]
    public async Task Handles_count_up_from_1_and_are_never_reused()
    {
        await using var gofer = await InProcessGofer.StartAsync();

        var first = await gofer.Client.RootAsync(Upper);
        await gofer.Client.CloseAsync(new CloseRequest { Handles = { first } });
        var second = await gofer.Client.RootAsync(Upper);

        Assert.Equal((1ul, 2ul), (first, second));
    }

    [Fact]
    public async Task Close_releases_the_handle_and_its_descriptor()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "");
        var path = await gofer.Client.LookupAsync(Upper, "f");
        var open = (await gofer.Client.OpenAsync(new OpenRequest { Handle = path, Flags = Syscalls.O_RDONLY })).Handle;
        Assert.Equal(2, OnDisk.DescriptorsBelow(gofer.Upper));

        var closed = await gofer.Client.CloseAsync(new CloseRequest { Handles = { path, open } });

        Assert.Empty(closed.Unknown);
        Assert.Equal(0, OnDisk.DescriptorsBelow(gofer.Upper));
        var failure = await CallFailure.Expect(Errno.EBADF, () => gofer.Client.StatAsync(new StatRequest { Handle = path }));
        Assert.Equal($"stat \"handle {path}\": EBADF (Bad file descriptor)", failure.Message);
        await CallFailure.Expect(Errno.EBADF, () => gofer.Client.ReadAsync(new ReadRequest { Handle = open, Length = 1 }));
    }

    [Fact]
    public async Task Close_reports_unknown_handles_and_still_closes_the_others()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var a = await gofer.Client.RootAsync(Upper);
        var b = await gofer.Client.RootAsync(Upper);

        var closed = await gofer.Client.CloseAsync(new CloseRequest { Handles = { 0, a, 999, b, a, ulong.MaxValue } });

        Assert.Equal([0ul, 999ul, a, ulong.MaxValue], closed.Unknown);
        await CallFailure.Expect(Errno.EBADF, () => gofer.Client.StatAsync(new StatRequest { Handle = b }));
    }

    [Fact]
    public async Task A_handle_of_another_connection_fails_with_EBADF()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "secret");
        var mine = await gofer.Client.OpenAsync(Upper, "f", Syscalls.O_RDONLY);
        using var otherChannel = gofer.OpenChannel();
        var other = new FileService.FileServiceClient(otherChannel);
        var othersOwn = await other.RootAsync(Upper);

        var failure = await CallFailure.Expect(Errno.EBADF, () => other.ReadAsync(new ReadRequest { Handle = mine, Length = 10 }));
        await CallFailure.Expect(Errno.EBADF, () => other.StatAsync(new StatRequest { Handle = mine }));
        var closed = await other.CloseAsync(new CloseRequest { Handles = { mine } });

        Assert.True(mine > othersOwn, "the other connection must not have a handle with the same number");
        Assert.Contains($"handle {mine}", failure.Message, StringComparison.Ordinal);
        Assert.Equal([mine], closed.Unknown);
        Assert.Equal("secret", (await gofer.Client.ReadAsync(new ReadRequest { Handle = mine, Length = 10 })).Data.ToStringUtf8());
    }

    [Fact]
    public async Task Ending_a_connection_releases_all_of_its_handles_and_no_others()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        Directory.CreateDirectory(gofer.PathOf(Upper, "d"));
        File.WriteAllText(gofer.PathOf(Upper, "d", "f"), "");
        File.WriteAllText(gofer.PathOf(Upper, "kept"), "kept");
        // Two descriptors below the upper stay: the path handle and the open handle of "kept".
        var kept = await gofer.Client.OpenAsync(Upper, "kept", Syscalls.O_RDONLY);

        var channel = gofer.OpenChannel();
        var other = new FileService.FileServiceClient(channel);
        var root = await other.RootAsync(Upper);
        await other.WalkAsync(new WalkRequest { Directory = root, Names = { Name("d"), Name("f") } });
        await other.OpenAsync(Upper, "d/f", Syscalls.O_RDWR);
        await other.MkdirAsync(new MkdirRequest { Directory = root, Name = Name("made"), Mode = Octal.Of("755") });
        Assert.Equal(2 + 5, OnDisk.DescriptorsBelow(gofer.Upper));

        channel.Dispose();

        await Poll.UntilAsync(() => OnDisk.DescriptorsBelow(gofer.Upper) == 2, "the closed connection's descriptors are released");
        Assert.Equal("kept", (await gofer.Client.ReadAsync(new ReadRequest { Handle = kept, Length = 10 })).Data.ToStringUtf8());
    }

    [Fact]
    public async Task Closing_a_handle_during_a_ReadStream_keeps_the_stream_on_its_own_file()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        const int size = 8 << 20;
        File.WriteAllBytes(gofer.PathOf(Upper, "a"), Enumerable.Repeat((byte)'a', size).ToArray());
        File.WriteAllBytes(gofer.PathOf(Upper, "b"), Enumerable.Repeat((byte)'b', size).ToArray());
        var path = await gofer.Client.LookupAsync(Upper, "a");
        var a = (await gofer.Client.OpenAsync(new OpenRequest { Handle = path, Flags = Syscalls.O_RDONLY })).Handle;

        using var stream = gofer.Client.ReadStream(new ReadRequest { Handle = a });
        Assert.True(await stream.ResponseStream.MoveNext());
        var received = stream.ResponseStream.Current.Data.Length;

        // The stream is still running: closing its handle must not close the descriptor under
        // it, or the next opens (which take the lowest free numbers) would take its place.
        await gofer.Client.CloseAsync(new CloseRequest { Handles = { path, a } });
        for (var i = 0; i < 4; i++)
        {
            await gofer.Client.OpenAsync(Upper, "b", Syscalls.O_RDONLY);
        }

        await foreach (var chunk in stream.ResponseStream.ReadAllAsync())
        {
            Assert.True(chunk.Data.Span.IndexOfAnyExcept((byte)'a') < 0, "the stream read another file");
            received += chunk.Data.Length;
        }

        Assert.Equal(size, received);
        await Poll.UntilAsync(() => OnDisk.DescriptorsBelow(gofer.Upper) == 4 * 2, "the stream's descriptor is closed when the stream ends (the opens of b hold the rest)");
    }
}
