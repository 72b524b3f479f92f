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
        using var table = new HandleTable(new DescriptorBudget((2 * HandleTable.Limit) + 10));
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
    public void Handles_of_every_connection_share_the_budget_and_past_it_fail_with_EMFILE_until_one_is_released()
    {
        var budget = new DescriptorBudget(4);
        using var first = new HandleTable(budget);
        using var second = new HandleTable(budget);
        using var third = new HandleTable(budget);
        var a = first.Add(new Node(Layer, new FileDescriptor(), FileStatus.Regular));
        second.Add(new Node(Layer, new FileDescriptor(), FileStatus.Regular));
        second.Add(new Node(Layer, new FileDescriptor(), FileStatus.Regular));
        first.Add(new Node(Layer, new FileDescriptor(), FileStatus.Regular));

        var refused = new Node(Layer, new FileDescriptor(), FileStatus.Regular);
        var e = Assert.Throws<ErrnoException>(() => third.Add(refused));

        Assert.Equal(Errno.EMFILE, e.Errno);
        Assert.True(refused.Fd.IsClosed, "a refused node must not leak its descriptor");
        Assert.Equal(4, budget.InUse);
        Assert.True(first.Remove(a));
        third.Add(new Node(Layer, new FileDescriptor(), FileStatus.Regular));
        second.Dispose();
        Assert.Equal(2, budget.InUse);
        Assert.Equal(4, budget.Peak);
    }

    [Fact]
    public void One_connection_may_hold_half_of_the_budget_and_no_more()
    {
        var budget = new DescriptorBudget(4);
        using var greedy = new HandleTable(budget);
        using var other = new HandleTable(budget);
        Assert.Equal(2, greedy.Capacity);
        greedy.Add(new Node(Layer, new FileDescriptor(), FileStatus.Regular));
        greedy.Add(new Node(Layer, new FileDescriptor(), FileStatus.Regular));

        var e = Assert.Throws<ErrnoException>(() => greedy.Add(new Node(Layer, new FileDescriptor(), FileStatus.Regular)));

        Assert.Equal(Errno.EMFILE, e.Errno);
        other.Add(new Node(Layer, new FileDescriptor(), FileStatus.Regular));
        other.Add(new Node(Layer, new FileDescriptor(), FileStatus.Regular));
        Assert.Equal(4, budget.InUse);
    }

    [Fact]
    public void The_budget_keeps_a_reserve_of_an_eighth_of_the_limit_and_at_least_64_and_a_share_for_connections()
    {
        Assert.Equal(112, DescriptorBudget.ConnectionsFor(1024));
        Assert.Equal(24, DescriptorBudget.ConnectionsFor(256));
        Assert.Equal(DescriptorBudget.MaxConnections, DescriptorBudget.ConnectionsFor(1_048_576));
        Assert.Equal(4, DescriptorBudget.ConnectionsFor(10));
        Assert.Equal(1024 - 128 - 112, DescriptorBudget.CapacityFor(1024));
        Assert.Equal(256 - 64 - 24, DescriptorBudget.CapacityFor(256));
        Assert.Equal(1_048_576 - 131_072 - DescriptorBudget.MaxConnections, DescriptorBudget.CapacityFor(1_048_576));
        Assert.Equal(1, DescriptorBudget.CapacityFor(10));
    }

    [Fact]
    public void A_table_whose_connection_ended_refuses_new_handles_with_EBADF()
    {
        var table = new HandleTable(new DescriptorBudget(HandleTable.Limit + 10));
        var handle = table.Add(new Node(Layer, new FileDescriptor(), FileStatus.Regular));
        table.Dispose();

        var late = new Node(Layer, new FileDescriptor(), FileStatus.Regular);
        var e = Assert.Throws<ErrnoException>(() => table.Add(late));

        Assert.Equal(Errno.EBADF, e.Errno);
        Assert.True(late.Fd.IsClosed);
        Assert.Equal(Errno.EBADF, Assert.Throws<ErrnoException>(() => table.Acquire(handle, "stat")).Errno);
    }
}
