using Gofer.Native;
using Gofer.Protocol.V1;
using Grpc.Core;
using static Gofer.Server.Tests.Service.ClientShorthands;

namespace Gofer.Server.Tests.Service;

/// <summary>The Session stream: pipelined requests answered in order with their tags, failures in-band.</summary>
public class SessionTests
{
    private const uint Upper = InProcessGofer.UpperId;

    [Fact]
    public async Task Pipelined_requests_are_answered_in_order_with_their_tags()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "data");
        var root = await gofer.Client.RootAsync(Upper);
        using var session = gofer.Client.Session();

        // Ten requests before reading any answer; later ones use handles the earlier ones will make (root + 1, + 2 …).
        SessionRequest[] requests =
        [
            new() { Tag = 100, ListMounts = new ListMountsRequest() },
            new() { Tag = 101, Attach = new AttachRequest { Layer = Upper } },
            new() { Tag = 102, Walk = new WalkRequest { Directory = root, Names = { Name("f") } } },
            new() { Tag = 103, Open = new OpenRequest { Handle = root + 2, Flags = Syscalls.O_RDONLY } },
            new() { Tag = 104, Read = new ReadRequest { Handle = root + 3, Length = 10 } },
            new() { Tag = 105, Mkdir = new MkdirRequest { Directory = root, Name = Name("d"), Mode = Octal.Of("755") } },
            new() { Tag = 106, Create = new CreateRequest { Directory = root + 4, Name = Name("g"), Flags = Syscalls.O_WRONLY, Mode = Octal.Of("644") } },
            new() { Tag = 107, Write = new WriteRequest { Handle = root + 5, Data = Name("written") } },
            new() { Tag = 108, Stat = new StatRequest { Handle = root + 2 } },
            new() { Tag = 109, Close = new CloseRequest { Handles = { root + 3, root + 5 } } },
        ];
        foreach (var request in requests)
        {
            await session.RequestStream.WriteAsync(request);
        }

        var answers = new List<SessionResponse>();
        for (var i = 0; i < requests.Length; i++)
        {
            Assert.True(await session.ResponseStream.MoveNext());
            answers.Add(session.ResponseStream.Current);
        }

        Assert.Equal(requests.Select(r => r.Tag), answers.Select(a => a.Tag));
        Assert.All(answers, a => Assert.NotEqual(SessionResponse.ResultOneofCase.Failure, a.ResultCase));
        Assert.Equal(2, answers[0].ListMounts.Mounts.Count);
        Assert.Equal(root + 1, answers[1].Attach.Handle);
        Assert.Equal(root + 2, answers[2].Walk.Entries[0].Handle);
        Assert.Equal("data", answers[4].Read.Data.ToStringUtf8());
        Assert.Equal(root + 4, answers[5].Mkdir.Handle);
        Assert.True(answers[6].Create.Created);
        Assert.Equal(7, answers[7].Write.Written);
        Assert.Equal(4, answers[8].Stat.Stat.Size);
        Assert.Empty(answers[9].Close.Unknown);
        Assert.Equal("written", File.ReadAllText(gofer.PathOf(Upper, "d", "g")));
        await session.RequestStream.CompleteAsync();
        Assert.False(await session.ResponseStream.MoveNext());
    }

    [Fact]
    public async Task A_failure_is_an_answer_with_the_errno_and_the_stream_goes_on()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        Directory.CreateDirectory(gofer.PathOf(Upper, "d"));
        var root = await gofer.Client.RootAsync(Upper);
        using var session = gofer.Client.Session();

        var exists = await AskAsync(session, new SessionRequest { Tag = 1, Mkdir = new MkdirRequest { Directory = root, Name = Name("d"), Mode = Octal.Of("755") } });
        var badHandle = await AskAsync(session, new SessionRequest { Tag = 2, Stat = new StatRequest { Handle = 12345 } });
        var badName = await AskAsync(session, new SessionRequest { Tag = 3, Mkdir = new MkdirRequest { Directory = root, Name = Name(".."), Mode = Octal.Of("755") } });
        var empty = await AskAsync(session, new SessionRequest { Tag = 4 });
        var fine = await AskAsync(session, new SessionRequest { Tag = 5, Mkdir = new MkdirRequest { Directory = root, Name = Name("e"), Mode = Octal.Of("755") } });

        Assert.Equal((1ul, Errno.EEXIST, "mkdir \"d\": EEXIST (File exists)"), (exists.Tag, exists.Failure.Errno, exists.Failure.Message));
        Assert.Equal((2ul, Errno.EBADF), (badHandle.Tag, badHandle.Failure.Errno));
        Assert.Contains("handle 12345", badHandle.Failure.Message, StringComparison.Ordinal);
        Assert.Equal((3ul, Errno.EINVAL), (badName.Tag, badName.Failure.Errno));
        Assert.Equal((4ul, Errno.EINVAL), (empty.Tag, empty.Failure.Errno));
        Assert.Equal(5ul, fine.Tag);
        Assert.NotEqual(0ul, fine.Mkdir.Handle);
        Assert.True(OnDisk.Lstat(gofer.PathOf(Upper, "e")).IsDirectory);
    }

    [Fact]
    public async Task A_SetAttr_failure_names_the_failed_part()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "0123456789");
        var file = await gofer.Client.LookupAsync(Upper, "f");
        using var session = gofer.Client.Session();

        var answer = await AskAsync(session, new SessionRequest { Tag = 9, SetAttr = new SetAttrRequest { Handle = file, Size = 5, Mode = 0x10000 } });

        Assert.Equal((Errno.EINVAL, SetAttrPart.Mode), (answer.Failure.Errno, answer.Failure.FailedPart));
        Assert.Equal(5, new FileInfo(gofer.PathOf(Upper, "f")).Length);
    }

    [Fact]
    public async Task ReadDir_answers_the_whole_directory_at_once()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        for (var i = 0; i < 2500; i++)
        {
            File.WriteAllText(gofer.PathOf(Upper, $"n{i}"), "");
        }

        var root = await gofer.Client.RootAsync(Upper);
        using var session = gofer.Client.Session();

        var answer = await AskAsync(session, new SessionRequest { Tag = 1, ReadDir = new ReadDirRequest { Handle = root, BatchSize = 7, WithStat = true } });

        Assert.Equal(2500, answer.ReadDir.Entries.Count);
        Assert.Equal(2500, answer.ReadDir.Entries.Select(e => e.Name.ToStringUtf8()).Distinct().Count());
        Assert.All(answer.ReadDir.Entries, e => Assert.Equal(FileStatus.Regular, e.Stat.Mode & FileStatus.TypeMask));
    }

    [Fact]
    public async Task A_session_shares_the_handles_of_its_connection_and_no_other()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        File.WriteAllText(gofer.PathOf(Upper, "f"), "");
        var unaryHandle = await gofer.Client.LookupAsync(Upper, "f");
        using var session = gofer.Client.Session();
        var sessionAttach = await AskAsync(session, new SessionRequest { Tag = 1, Attach = new AttachRequest { Layer = Upper } });
        var sessionStat = await AskAsync(session, new SessionRequest { Tag = 2, Stat = new StatRequest { Handle = unaryHandle } });

        using var otherChannel = gofer.OpenChannel();
        using var otherSession = new FileService.FileServiceClient(otherChannel).Session();
        var foreign = await AskAsync(otherSession, new SessionRequest { Tag = 3, Stat = new StatRequest { Handle = unaryHandle } });

        Assert.Equal(OnDisk.Lstat(gofer.PathOf(Upper, "f")).Inode, sessionStat.Stat.Stat.Ino);
        Assert.Equal(OnDisk.Lstat(gofer.Upper).Inode, (await gofer.Client.StatAsync(new StatRequest { Handle = sessionAttach.Attach.Handle })).Stat.Ino);
        Assert.Equal(Errno.EBADF, foreign.Failure.Errno);
    }

    private static async Task<SessionResponse> AskAsync(AsyncDuplexStreamingCall<SessionRequest, SessionResponse> session, SessionRequest request)
    {
        await session.RequestStream.WriteAsync(request);
        Assert.True(await session.ResponseStream.MoveNext());
        return session.ResponseStream.Current;
    }
}
