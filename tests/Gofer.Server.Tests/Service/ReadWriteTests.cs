using Gofer.Native;
using Gofer.Protocol.V1;
using Gofer.Server.Service;
using Google.Protobuf;
using Grpc.Core;
using static Gofer.Server.Tests.Service.ClientShorthands;

namespace Gofer.Server.Tests.Service;

/// <summary>Read, ReadStream, Write and WriteStream: offsets, limits, appending, FIFOs.</summary>
public class ReadWriteTests
{
    private const uint Upper = InProcessGofer.UpperId;
    private const int MiB = 1 << 20;

    [Fact]
    public async Task Writes_and_reads_land_at_their_offsets()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var root = await gofer.Client.RootAsync(Upper);
        var file = (await gofer.Client.CreateAsync(new CreateRequest { Directory = root, Name = Name("f"), Flags = Syscalls.O_RDWR, Mode = Octal.Of("644") })).Handle;

        Assert.Equal(5, (await gofer.Client.WriteAsync(new WriteRequest { Handle = file, Data = Name("hello") })).Written);
        Assert.Equal(2, (await gofer.Client.WriteAsync(new WriteRequest { Handle = file, Offset = 3, Data = Name("XY") })).Written);
        await gofer.Client.WriteAsync(new WriteRequest { Handle = file, Offset = 8, Data = Name("!") });

        Assert.Equal("helXY\0\0\0!"u8.ToArray(), File.ReadAllBytes(gofer.PathOf(Upper, "f")));
        Assert.Equal("lX", (await gofer.Client.ReadAsync(new ReadRequest { Handle = file, Offset = 2, Length = 2 })).Data.ToStringUtf8());
    }

    [Fact]
    public async Task WriteStream_and_ReadStream_move_9_MiB_intact()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var data = new byte[9 * MiB];
        new Random(9).NextBytes(data);
        var root = await gofer.Client.RootAsync(Upper);
        var file = (await gofer.Client.CreateAsync(new CreateRequest { Directory = root, Name = Name("big"), Flags = Syscalls.O_RDWR, Mode = Octal.Of("644") })).Handle;

        using (var write = gofer.Client.WriteStream())
        {
            // Chunks out of order, each at its own offset.
            foreach (var chunk in Enumerable.Range(0, 9).Reverse())
            {
                await write.RequestStream.WriteAsync(new WriteRequest { Handle = file, Offset = (long)chunk * MiB, Data = ByteString.CopyFrom(data, chunk * MiB, MiB) });
            }

            await write.RequestStream.CompleteAsync();
            Assert.Equal(data.Length, (await write.ResponseAsync).Written);
        }

        Assert.Equal(data, File.ReadAllBytes(gofer.PathOf(Upper, "big")));
        using var read = gofer.Client.ReadStream(new ReadRequest { Handle = file });
        var chunks = await read.ResponseStream.ReadAllAsync().ToListAsync();
        Assert.Equal(9, chunks.Count);
        Assert.All(chunks, c => Assert.Equal(Server.Service.FileService.StreamChunk, c.Data.Length));
        Assert.Equal(data, chunks.SelectMany(c => c.Data.ToByteArray()).ToArray());
    }

    [Fact]
    public async Task ReadStream_reads_length_bytes_from_offset_or_to_end_of_file()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var data = new byte[3 * MiB + 5];
        new Random(3).NextBytes(data);
        File.WriteAllBytes(gofer.PathOf(Upper, "f"), data);
        var file = await gofer.Client.OpenAsync(Upper, "f", Syscalls.O_RDONLY);

        Assert.Equal(data[1000..(1000 + (2 * MiB))], await gofer.Client.ReadAllAsync(file, offset: 1000, length: 2 * MiB));
        Assert.Equal(data[7..], await gofer.Client.ReadAllAsync(file, offset: 7));
        Assert.Equal(data[^5..], await gofer.Client.ReadAllAsync(file, offset: data.Length - 5, length: 100));
        Assert.Empty(await gofer.Client.ReadAllAsync(file, offset: data.Length + 1));
    }

    [Fact]
    public async Task Read_at_end_of_file_is_short_and_past_it_empty()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "0123456789");
        var file = await gofer.Client.OpenAsync(Upper, "f", Syscalls.O_RDONLY);

        Assert.Equal("789", (await gofer.Client.ReadAsync(new ReadRequest { Handle = file, Offset = 7, Length = 100 })).Data.ToStringUtf8());
        Assert.True((await gofer.Client.ReadAsync(new ReadRequest { Handle = file, Offset = 10, Length = 100 })).Data.IsEmpty);
        Assert.True((await gofer.Client.ReadAsync(new ReadRequest { Handle = file, Offset = 1 << 40, Length = 100 })).Data.IsEmpty);
    }

    [Fact]
    public async Task Read_takes_up_to_4_MiB_and_refuses_more_or_nothing_with_EINVAL()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var data = new byte[5 * MiB];
        new Random(4).NextBytes(data);
        File.WriteAllBytes(gofer.PathOf(Upper, "f"), data);
        var file = await gofer.Client.OpenAsync(Upper, "f", Syscalls.O_RDONLY);

        var read = await gofer.Client.ReadAsync(new ReadRequest { Handle = file, Length = FileOperations.MaxTransfer });
        Assert.Equal(data[..FileOperations.MaxTransfer], read.Data.ToByteArray());

        foreach (var length in new long[] { FileOperations.MaxTransfer + 1L, 0, -1 })
        {
            var failure = await CallFailure.Expect(Errno.EINVAL, () => gofer.Client.ReadAsync(new ReadRequest { Handle = file, Length = length }));
            Assert.Contains($"read \"length {length}\"", failure.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Write_of_more_than_4_MiB_fails_with_EINVAL_and_writes_nothing()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "");
        var file = await gofer.Client.OpenAsync(Upper, "f", Syscalls.O_WRONLY);

        await CallFailure.Expect(Errno.EINVAL, () => gofer.Client.WriteAsync(new WriteRequest { Handle = file, Data = ByteString.CopyFrom(new byte[FileOperations.MaxTransfer + 1]) }));

        Assert.Equal(0, new FileInfo(gofer.PathOf(Upper, "f")).Length);
    }

    [Fact]
    public async Task Negative_offsets_and_lengths_fail_with_EINVAL()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "data");
        var file = await gofer.Client.OpenAsync(Upper, "f", Syscalls.O_RDWR);

        var read = await CallFailure.Expect(Errno.EINVAL, () => gofer.Client.ReadAsync(new ReadRequest { Handle = file, Offset = -1, Length = 1 }));
        Assert.Contains("read \"offset -1\"", read.Message, StringComparison.Ordinal);
        await CallFailure.Expect(Errno.EINVAL, () => gofer.Client.ReadAllAsync(file, offset: -1));
        await CallFailure.Expect(Errno.EINVAL, () => gofer.Client.ReadAllAsync(file, length: -1));
        var write = await CallFailure.Expect(Errno.EINVAL, () => gofer.Client.WriteAsync(new WriteRequest { Handle = file, Offset = -5, Data = Name("x") }));
        Assert.Contains("write \"offset -5\"", write.Message, StringComparison.Ordinal);
        Assert.Equal("data", File.ReadAllText(gofer.PathOf(Upper, "f")));
    }

    [Fact]
    public async Task A_handle_opened_with_O_APPEND_writes_at_the_end_whatever_the_offset()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "log"), "one\n");
        var log = await gofer.Client.OpenAsync(Upper, "log", Syscalls.O_WRONLY | Syscalls.O_APPEND);

        await gofer.Client.WriteAsync(new WriteRequest { Handle = log, Offset = 0, Data = Name("two\n") });
        await gofer.Client.WriteAsync(new WriteRequest { Handle = log, Offset = 1, Data = Name("three\n") });

        Assert.Equal("one\ntwo\nthree\n", File.ReadAllText(gofer.PathOf(Upper, "log")));
    }

    [Fact]
    public async Task A_handle_not_open_for_reading_or_writing_fails_with_EBADF()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "data");
        var path = await gofer.Client.LookupAsync(Upper, "f");
        var writeOnly = await gofer.Client.OpenAsync(Upper, "f", Syscalls.O_WRONLY);
        var readOnly = await gofer.Client.OpenAsync(Upper, "f", Syscalls.O_RDONLY);

        var failure = await CallFailure.Expect(Errno.EBADF, () => gofer.Client.ReadAsync(new ReadRequest { Handle = path, Length = 1 }));
        Assert.Contains($"read \"handle {path} (not open for reading)\"", failure.Message, StringComparison.Ordinal);
        await CallFailure.Expect(Errno.EBADF, () => gofer.Client.ReadAsync(new ReadRequest { Handle = writeOnly, Length = 1 }));
        await CallFailure.Expect(Errno.EBADF, () => gofer.Client.ReadAllAsync(writeOnly));
        failure = await CallFailure.Expect(Errno.EBADF, () => gofer.Client.WriteAsync(new WriteRequest { Handle = readOnly, Data = Name("x") }));
        Assert.Contains($"write \"handle {readOnly} (not open for writing)\"", failure.Message, StringComparison.Ordinal);
        await CallFailure.Expect(Errno.EBADF, () => gofer.Client.WriteAsync(new WriteRequest { Handle = path, Data = Name("x") }));
        Assert.Equal("data", File.ReadAllText(gofer.PathOf(Upper, "f")));
    }

    [Fact]
    public async Task A_FIFO_opens_without_blocking_and_passes_data()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        OnDisk.Mknod(gofer.PathOf(Upper, "pipe"), FileStatus.Fifo | Octal.Of("666"));
        var pipe = await gofer.Client.LookupAsync(Upper, "pipe");

        // No reader yet: a blocking open would wait for one forever; a non-blocking one says ENXIO.
        await CallFailure.Expect(Errno.ENXIO, () => gofer.Client.OpenAsync(new OpenRequest { Handle = pipe, Flags = Syscalls.O_WRONLY }));
        var reader = (await gofer.Client.OpenAsync(new OpenRequest { Handle = pipe, Flags = Syscalls.O_RDONLY })).Handle;
        Assert.True((await gofer.Client.ReadAsync(new ReadRequest { Handle = reader, Length = 10 })).Data.IsEmpty);
        var writer = (await gofer.Client.OpenAsync(new OpenRequest { Handle = pipe, Flags = Syscalls.O_WRONLY })).Handle;

        Assert.Equal(5, (await gofer.Client.WriteAsync(new WriteRequest { Handle = writer, Offset = 123, Data = Name("hello") })).Written);

        Assert.Equal("hello", (await gofer.Client.ReadAsync(new ReadRequest { Handle = reader, Offset = 77, Length = 10 })).Data.ToStringUtf8());
    }
}
