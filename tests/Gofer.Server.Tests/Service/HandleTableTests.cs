using Gofer.Native;
using Gofer.Server.Service;
using Gofer.Server.Spec;

namespace Gofer.Server.Tests.Service;

/// <summary>The handle table on its own: the limit that keeps one client from exhausting the gofer's descriptors.</summary>
public class HandleTableTests
{
    private static readonly ServedLayer Layer = new(
        new LayerPlan(1, LayerRole.Bind, "/src", "/m0/bind", false, false),
        new PlannedMount(0, "/", MountKind.Bind, [], null, []),
        new FileDescriptor());

    [Fact]
    public void A_connection_may_hold_at_most_Limit_handles_and_the_next_fails_with_EMFILE()
    {
        using var table = new HandleTable();
        for (var i = 0; i < HandleTable.Limit; i++)
        {
            table.Add(new Node(Layer, new FileDescriptor(), FileStatus.Regular));
        }

        var refused = new Node(Layer, new FileDescriptor(), FileStatus.Regular);
        var e = Assert.Throws<ErrnoException>(() => table.Add(refused));

        Assert.Equal(Errno.EMFILE, e.Errno);
        Assert.True(refused.Fd.IsClosed, "a refused node must not leak its descriptor");
        Assert.True(table.Remove(1));
        Assert.Equal((ulong)HandleTable.Limit + 1, table.Add(new Node(Layer, new FileDescriptor(), FileStatus.Regular)));
    }

    [Fact]
    public void A_table_whose_connection_ended_refuses_new_handles_with_EBADF()
    {
        var table = new HandleTable();
        var handle = table.Add(new Node(Layer, new FileDescriptor(), FileStatus.Regular));
        table.Dispose();

        var late = new Node(Layer, new FileDescriptor(), FileStatus.Regular);
        var e = Assert.Throws<ErrnoException>(() => table.Add(late));

        Assert.Equal(Errno.EBADF, e.Errno);
        Assert.True(late.Fd.IsClosed);
        Assert.Equal(Errno.EBADF, Assert.Throws<ErrnoException>(() => table.Acquire(handle, "stat")).Errno);
    }
}
