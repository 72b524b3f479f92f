using Gofer.Native;
using Gofer.Protocol.V1;
using Gofer.Server.Spec;
using LayerRole = Gofer.Server.Spec.LayerRole;
using MountKind = Gofer.Server.Spec.MountKind;
using static Gofer.Server.Tests.Service.ClientShorthands;

namespace Gofer.Server.Tests.Service;

/// <summary>
/// Bind mounts of single files (/etc/hosts and the like) and of devices: the layer's root is that
/// file, its handle a file handle.
/// </summary>
public class FileBindTests
{
    private const uint HostsId = 1, ResolvId = 2, NullId = 3;

    private static MountPlan Plan(TempDirectory root)
    {
        File.WriteAllText(root.Combine("hosts"), "127.0.0.1 localhost\n");
        File.WriteAllText(root.Combine("resolv.conf"), "nameserver 192.0.2.53\n");
        return new MountPlan(root.Path, [
            new PlannedMount(0, "/etc/hosts", MountKind.Bind, ["bind", "rprivate"], null, [
                new LayerPlan((int)HostsId, LayerRole.Bind, root.Combine("hosts"), "/m0/bind", ReadOnly: false, Recursive: false),
            ]),
            new PlannedMount(1, "/etc/resolv.conf", MountKind.Bind, ["bind", "ro"], null, [
                new LayerPlan((int)ResolvId, LayerRole.Bind, root.Combine("resolv.conf"), "/m1/bind", ReadOnly: true, Recursive: false),
            ]),
            new PlannedMount(2, "/dev/null", MountKind.Bind, ["rbind"], null, [
                new LayerPlan((int)NullId, LayerRole.Bind, "/dev/null", "/m2/bind", ReadOnly: false, Recursive: true),
            ]),
        ], []);
    }

    [Fact]
    public async Task A_file_bind_attaches_as_a_file_that_reads_writes_and_changes_attributes()
    {
        await using var gofer = await InProcessGofer.StartAsync(Plan);
        var client = gofer.Client;

        var mounts = (await client.ListMountsAsync(new ListMountsRequest())).Mounts;
        Assert.Equal(["/etc/hosts", "/etc/resolv.conf", "/dev/null"], mounts.Select(m => m.Destination));
        Assert.All(mounts, m => Assert.Equal(Protocol.V1.MountKind.Bind, m.Kind));

        var attach = await client.AttachAsync(new AttachRequest { Layer = HostsId });
        Assert.Equal(FileStatus.Regular, attach.Stat.Mode & FileStatus.TypeMask);
        Assert.Equal(20, attach.Stat.Size);

        var open = await client.OpenAsync(new OpenRequest { Handle = attach.Handle, Flags = (uint)Syscalls.O_RDWR });
        Assert.Equal("127.0.0.1 localhost\n", (await client.ReadAsync(new ReadRequest { Handle = open.Handle, Length = 100 })).Data.ToStringUtf8());
        await client.WriteAsync(new WriteRequest { Handle = open.Handle, Offset = 20, Data = Name("10.0.0.2 box\n") });
        Assert.Equal("127.0.0.1 localhost\n10.0.0.2 box\n", File.ReadAllText(gofer.Root.Combine("hosts")));

        var changed = await client.SetAttrAsync(new SetAttrRequest { Handle = attach.Handle, Mode = Octal.Of("600") });
        Assert.Equal(Octal.Of("600"), changed.Stat.Mode & 0xFFF);
        Assert.Equal(Octal.Of("600"), OnDisk.Lstat(gofer.Root.Combine("hosts")).Mode & 0xFFF);
        Assert.Equal(33, (await client.StatAsync(new StatRequest { Handle = attach.Handle })).Stat.Size);
    }

    [Fact]
    public async Task Name_operations_on_a_file_root_answer_ENOTDIR()
    {
        await using var gofer = await InProcessGofer.StartAsync(Plan);
        var client = gofer.Client;
        var hosts = await client.RootAsync(HostsId);

        var walk = await client.WalkAsync(new WalkRequest { Directory = hosts, Names = { Name("x") } });
        Assert.Equal((WalkStatus.Stopped, Errno.ENOTDIR, 0), (walk.Status, walk.Errno, walk.Entries.Count));
        await CallFailure.Expect(Errno.ENOTDIR, () => client.MkdirAsync(new MkdirRequest { Directory = hosts, Name = Name("d"), Mode = Octal.Of("755") }));
        await CallFailure.Expect(Errno.ENOTDIR, () => client.CreateAsync(new CreateRequest { Directory = hosts, Name = Name("f"), Mode = Octal.Of("644"), Flags = (uint)Syscalls.O_WRONLY }));
        await CallFailure.Expect(Errno.ENOTDIR, () => client.UnlinkAsync(new UnlinkRequest { Directory = hosts, Name = Name("f") }));
        await CallFailure.Expect(Errno.ENOTDIR, () => client.ReadDirAsync(hosts));
    }

    [Fact]
    public async Task A_read_only_file_bind_reads_and_refuses_every_change_with_EROFS()
    {
        await using var gofer = await InProcessGofer.StartAsync(Plan);
        var client = gofer.Client;
        var resolv = await client.RootAsync(ResolvId);

        var open = await client.OpenAsync(new OpenRequest { Handle = resolv, Flags = (uint)Syscalls.O_RDONLY });
        Assert.Equal("nameserver 192.0.2.53\n", System.Text.Encoding.UTF8.GetString(await client.ReadAllAsync(open.Handle)));
        await CallFailure.Expect(Errno.EROFS, () => client.OpenAsync(new OpenRequest { Handle = resolv, Flags = (uint)Syscalls.O_WRONLY }));
        await CallFailure.Expect(Errno.EROFS, () => client.SetAttrAsync(new SetAttrRequest { Handle = resolv, Size = 0 }));
        Assert.Equal("nameserver 192.0.2.53\n", File.ReadAllText(gofer.Root.Combine("resolv.conf")));
    }

    [Fact]
    public async Task A_device_bind_is_served_stat_only_and_never_opened()
    {
        await using var gofer = await InProcessGofer.StartAsync(Plan);
        var client = gofer.Client;

        var attach = await client.AttachAsync(new AttachRequest { Layer = NullId });
        Assert.Equal(FileStatus.CharDevice, attach.Stat.Mode & FileStatus.TypeMask);
        Assert.Equal(FileStatus.MakeDevice(1, 3), attach.Stat.Rdev);
        await CallFailure.Expect(Errno.ENXIO, () => client.OpenAsync(new OpenRequest { Handle = attach.Handle, Flags = (uint)Syscalls.O_RDONLY }));
    }
}
