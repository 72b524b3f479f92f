using Gofer.Native;
using Gofer.Protocol.V1;
using Gofer.Sentry.Connection;
using Google.Protobuf;

namespace Gofer.Server.Tests.EndToEnd;

/// <summary>
/// The published gofer under a small descriptor limit: it raises its soft limit to the hard one,
/// keeps a reserve and a share for connections, says how many handles a connection may hold (half
/// of what handles share), and past that or the whole budget answers EMFILE —
/// to attach and to walk alike, never a walk that reads as "no such name" — while it keeps serving.
/// </summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class DescriptorBudgetTests(PublishedGofer gofer)
{
    private const int SoftLimit = 128;
    private const int HardLimit = 256;

    [Fact]
    public async Task Past_its_budget_the_gofer_answers_EMFILE_and_serves_again_once_handles_are_closed()
    {
        using var bundle = new OverlayBundle();
        await using var process = await LimitedGofer.StartAsync(gofer.Binary, bundle, SoftLimit, HardLimit);

        Assert.Equal((HardLimit, HardLimit), ProcessLimits.OpenFiles(process.Pid));
        using var first = SessionSocket.Connect(process.SocketPath);
        var list = first.Call(new SessionRequest { ListMounts = new ListMountsRequest() }).ListMounts;
        var budget = Gofer.Server.Service.DescriptorBudget.ForLimit(HardLimit);
        Assert.Equal((uint)budget.PerConnection, list.HandleLimit);
        var layer = list.Mounts[1].Layers[0].Id;

        var handles = new List<ulong>();
        SessionResponse answer;
        while ((answer = first.Call(new SessionRequest { Attach = new AttachRequest { Layer = layer } })).ResultCase == SessionResponse.ResultOneofCase.Attach)
        {
            handles.Add(answer.Attach.Handle);
            Assert.True(handles.Count <= budget.PerConnection, "the gofer handed out more handles than a connection's share");
        }

        Assert.Equal(budget.PerConnection, handles.Count);
        Assert.Equal(Errno.EMFILE, answer.Failure.Errno);
        Assert.True(Directory.GetFiles($"/proc/{process.Pid}/fd").Length <= HardLimit);

        // A walk that would make a handle fails whole with EMFILE; a walk that keeps none still works.
        var walk = new WalkRequest { Directory = handles[^1], Names = { ByteString.CopyFromUtf8("top.txt") }, Handles = WalkHandles.Last };
        Assert.Equal(Errno.EMFILE, first.Call(new SessionRequest { Walk = walk }).Failure.Errno);
        walk.Handles = WalkHandles.None;
        Assert.Equal(WalkStatus.Complete, first.Call(new SessionRequest { Walk = walk }).Walk.Status);

        // Another connection gets the rest of the budget; a third then gets nothing, and is
        // served again as soon as handles go.
        using var second = SessionSocket.Connect(process.SocketPath);
        var secondHeld = 0;
        while (second.Call(new SessionRequest { Attach = new AttachRequest { Layer = layer } }).ResultCase == SessionResponse.ResultOneofCase.Attach)
        {
            secondHeld++;
        }

        Assert.Equal(budget.Capacity - budget.PerConnection, secondHeld);
        Assert.True(Directory.GetFiles($"/proc/{process.Pid}/fd").Length <= HardLimit);
        using var third = SessionSocket.Connect(process.SocketPath);
        Assert.Equal(Errno.EMFILE, third.Call(new SessionRequest { Attach = new AttachRequest { Layer = layer } }).Failure.Errno);
        first.Call(new SessionRequest { Close = new CloseRequest { Handles = { handles.Take(10) } } });
        Assert.Equal(SessionResponse.ResultOneofCase.Attach, third.Call(new SessionRequest { Attach = new AttachRequest { Layer = layer } }).ResultCase);
        walk.Handles = WalkHandles.Last;
        Assert.Equal(WalkStatus.Complete, first.Call(new SessionRequest { Walk = walk }).Walk.Status);
    }

    [Fact]
    public async Task With_the_budget_spent_a_make_fails_with_EMFILE_before_anything_is_made()
    {
        using var bundle = new OverlayBundle();
        File.WriteAllText(Path.Combine(bundle.Upper, "existing"), "x");
        await using var process = await LimitedGofer.StartAsync(gofer.Binary, bundle, HardLimit, HardLimit);
        using var client = SessionSocket.Connect(process.SocketPath);
        var mount = client.Call(new SessionRequest { ListMounts = new ListMountsRequest() }).ListMounts.Mounts[1];
        var upperLayer = mount.Layers.Single(l => l.Role == LayerRole.Upper).Id;
        var lowerLayer = mount.Layers.First(l => l.Role == LayerRole.Lower).Id;
        var upper = client.Call(new SessionRequest { Attach = new AttachRequest { Layer = upperLayer } }).Attach.Handle;
        var existing = client.Call(new SessionRequest { Walk = new WalkRequest { Directory = upper, Names = { ByteString.CopyFromUtf8("existing") }, Handles = WalkHandles.Last } }).Walk.Entries[0].Handle;
        var lowerFile = client.Call(new SessionRequest { Walk = new WalkRequest { Directory = client.Call(new SessionRequest { Attach = new AttachRequest { Layer = lowerLayer } }).Attach.Handle, Names = { ByteString.CopyFromUtf8("top.txt") }, Handles = WalkHandles.Last } }).Walk.Entries[0].Handle;
        while (client.Call(new SessionRequest { Attach = new AttachRequest { Layer = upperLayer } }).ResultCase == SessionResponse.ResultOneofCase.Attach)
        {
        }

        var name = ByteString.CopyFromUtf8("new");
        SessionRequest[] makes =
        [
            new() { Mkdir = new MkdirRequest { Directory = upper, Name = name, Mode = 0x1ED } },
            new() { Create = new CreateRequest { Directory = upper, Name = name, Flags = Syscalls.O_RDWR, Mode = 0x1A4 } },
            new() { Mknod = new MknodRequest { Directory = upper, Name = name, Mode = FileStatus.Fifo | 0x1A4 } },
            new() { Symlink = new SymlinkRequest { Directory = upper, Name = name, Target = ByteString.CopyFromUtf8("target") } },
            new() { Link = new LinkRequest { Target = existing, Directory = upper, Name = name } },
            new() { CopyUp = new CopyUpRequest { Source = lowerFile, Directory = upper, Name = ByteString.CopyFromUtf8("top.txt") } },
        ];
        foreach (var make in makes)
        {
            var answer = client.Call(make);
            Assert.True(answer.ResultCase == SessionResponse.ResultOneofCase.Failure, $"{make.OpCase} made something with the budget spent");
            Assert.Equal(Errno.EMFILE, answer.Failure.Errno);
            Assert.False(Path.Exists(Path.Combine(bundle.Upper, "new")) || new FileInfo(Path.Combine(bundle.Upper, "new")).LinkTarget is not null, $"{make.OpCase} failed but left its name on the upper");
        }

        Assert.False(File.Exists(Path.Combine(bundle.Upper, "top.txt")), "a refused copy-up left its copy on the upper");
    }
}
