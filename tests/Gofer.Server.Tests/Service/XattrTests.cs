using Gofer.Native;
using Gofer.Protocol.V1;
using Google.Protobuf;
using static Gofer.Server.Tests.Service.ClientShorthands;

namespace Gofer.Server.Tests.Service;

/// <summary>Extended attributes: the round trip, the flags, and the names a client may never touch or see.</summary>
public class XattrTests
{
    private const uint Upper = InProcessGofer.UpperId;

    [Fact]
    public async Task A_user_xattr_can_be_set_read_listed_and_removed()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var path = gofer.PathOf(Upper, "f");
        File.WriteAllText(path, "");
        var file = await gofer.Client.LookupAsync(Upper, "f");
        var value = ByteString.CopyFrom([0, 1, 2, 0xff]);

        await gofer.Client.SetXattrAsync(new SetXattrRequest { Handle = file, Name = "user.k", Value = value });
        Assert.Equal(value.ToByteArray(), OnDisk.GetXattr(path, "user.k"));
        Assert.Equal(value, (await gofer.Client.GetXattrAsync(new GetXattrRequest { Handle = file, Name = "user.k" })).Value);
        Assert.Equal(["user.k"], (await gofer.Client.ListXattrAsync(new ListXattrRequest { Handle = file })).Names);

        await gofer.Client.RemoveXattrAsync(new RemoveXattrRequest { Handle = file, Name = "user.k" });
        Assert.Null(OnDisk.GetXattr(path, "user.k"));
        Assert.Empty((await gofer.Client.ListXattrAsync(new ListXattrRequest { Handle = file })).Names);
    }

    [Fact]
    public async Task The_overlay_opaque_marker_can_be_set_on_an_upper_directory_and_read_back()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var path = Directory.CreateDirectory(gofer.PathOf(Upper, "d")).FullName;
        var dir = await gofer.Client.LookupAsync(Upper, "d");

        await gofer.Client.SetXattrAsync(new SetXattrRequest { Handle = dir, Name = "trusted.overlay.opaque", Value = Name("y"), Flags = XattrFlag.Create });

        Assert.Equal("y"u8.ToArray(), OnDisk.GetXattr(path, "trusted.overlay.opaque"));
        Assert.Equal("y", (await gofer.Client.GetXattrAsync(new GetXattrRequest { Handle = dir, Name = "trusted.overlay.opaque" })).Value.ToStringUtf8());
        Assert.Contains("trusted.overlay.opaque", (await gofer.Client.ListXattrAsync(new ListXattrRequest { Handle = dir })).Names);
    }

    [Theory]
    [InlineData("origin", "d")]
    [InlineData("metacopy", "f")]
    [InlineData("upper", "d")]
    [InlineData("impure", "d")]
    [InlineData("nlink", "f")]
    [InlineData("uuid", "d")]
    [InlineData("whiteout", "f")]
    [InlineData("redirect", "f")]
    [InlineData("opaque", "f")]
    public async Task Overlay_markers_the_composition_never_writes_are_refused_with_EPERM_and_not_stored(string marker, string target)
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var path = gofer.PathOf(Upper, target);
        if (target == "d")
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            File.WriteAllText(path, "");
        }

        var handle = await gofer.Client.LookupAsync(Upper, target);
        var name = "trusted.overlay." + marker;

        var failure = await CallFailure.Expect(Errno.EPERM, () => gofer.Client.SetXattrAsync(new SetXattrRequest { Handle = handle, Name = name, Value = Name("forged") }));

        Assert.Contains(name, failure.Message, StringComparison.Ordinal);
        Assert.Null(OnDisk.GetXattr(path, name));
        await CallFailure.Expect(Errno.EPERM, () => gofer.Client.RemoveXattrAsync(new RemoveXattrRequest { Handle = handle, Name = name }));
    }

    [Fact]
    public async Task Opaque_must_be_y_while_redirects_and_escaped_names_of_the_prefix_are_stored()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var path = Directory.CreateDirectory(gofer.PathOf(Upper, "d")).FullName;
        var dir = await gofer.Client.LookupAsync(Upper, "d");

        await CallFailure.Expect(Errno.EPERM, () => gofer.Client.SetXattrAsync(new SetXattrRequest { Handle = dir, Name = "trusted.overlay.opaque", Value = Name("x") }));
        await gofer.Client.SetXattrAsync(new SetXattrRequest { Handle = dir, Name = "trusted.overlay.redirect", Value = Name("/elsewhere") });
        await gofer.Client.SetXattrAsync(new SetXattrRequest { Handle = dir, Name = "trusted.overlay.overlay.origin", Value = Name("a user's own") });

        Assert.Null(OnDisk.GetXattr(path, "trusted.overlay.opaque"));
        Assert.Equal("/elsewhere"u8.ToArray(), OnDisk.GetXattr(path, "trusted.overlay.redirect"));
        Assert.Equal("a user's own"u8.ToArray(), OnDisk.GetXattr(path, "trusted.overlay.overlay.origin"));
        await gofer.Client.RemoveXattrAsync(new RemoveXattrRequest { Handle = dir, Name = "trusted.overlay.redirect" });
        Assert.Null(OnDisk.GetXattr(path, "trusted.overlay.redirect"));
    }

    [Fact]
    public async Task Create_and_replace_flags_and_missing_names_fail_as_setxattr_does()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var path = gofer.PathOf(Upper, "f");
        File.WriteAllText(path, "");
        OnDisk.SetXattr(path, "user.present", "old"u8.ToArray());
        var file = await gofer.Client.LookupAsync(Upper, "f");

        var exists = await CallFailure.Expect(Errno.EEXIST, () => gofer.Client.SetXattrAsync(new SetXattrRequest { Handle = file, Name = "user.present", Value = Name("new"), Flags = XattrFlag.Create }));
        var absent = await CallFailure.Expect(Errno.ENODATA, () => gofer.Client.SetXattrAsync(new SetXattrRequest { Handle = file, Name = "user.absent", Value = Name("new"), Flags = XattrFlag.Replace }));
        var get = await CallFailure.Expect(Errno.ENODATA, () => gofer.Client.GetXattrAsync(new GetXattrRequest { Handle = file, Name = "user.absent" }));
        var remove = await CallFailure.Expect(Errno.ENODATA, () => gofer.Client.RemoveXattrAsync(new RemoveXattrRequest { Handle = file, Name = "user.absent" }));
        var flags = await CallFailure.Expect(Errno.EINVAL, () => gofer.Client.SetXattrAsync(new SetXattrRequest { Handle = file, Name = "user.present", Value = Name("new"), Flags = (XattrFlag)3 }));

        Assert.StartsWith("setxattr \"user.present\"", exists.Message, StringComparison.Ordinal);
        Assert.StartsWith("setxattr \"user.absent\"", absent.Message, StringComparison.Ordinal);
        Assert.StartsWith("getxattr \"user.absent\"", get.Message, StringComparison.Ordinal);
        Assert.StartsWith("removexattr \"user.absent\"", remove.Message, StringComparison.Ordinal);
        Assert.StartsWith("setxattr \"user.present (flags 3)\"", flags.Message, StringComparison.Ordinal);
        Assert.Equal("old"u8.ToArray(), OnDisk.GetXattr(path, "user.present"));
        Assert.Null(OnDisk.GetXattr(path, "user.absent"));
    }

    [Theory]
    [InlineData(InProcessGofer.UpperId, "security.capability", Errno.EOPNOTSUPP)]
    [InlineData(InProcessGofer.UpperId, "security.selinux", Errno.EOPNOTSUPP)]
    [InlineData(InProcessGofer.UpperId, "system.posix_acl_access", Errno.EOPNOTSUPP)]
    [InlineData(InProcessGofer.BindId, "security.capability", Errno.EOPNOTSUPP)]
    [InlineData(InProcessGofer.UpperId, "trusted.other", Errno.EPERM)]
    [InlineData(InProcessGofer.UpperId, "trusted.overlay", Errno.EPERM)]
    [InlineData(InProcessGofer.UpperId, "trusted.overlay.", Errno.EPERM)]
    [InlineData(InProcessGofer.UpperId, "user.", Errno.EPERM)]
    [InlineData(InProcessGofer.UpperId, "nonamespace", Errno.EPERM)]
    [InlineData(InProcessGofer.BindId, "trusted.overlay.opaque", Errno.EPERM)]
    public async Task Names_outside_the_policy_fail_for_every_call(uint layer, string name, int errno)
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var path = gofer.PathOf(layer, "f");
        File.WriteAllText(path, "");
        var file = await gofer.Client.LookupAsync(layer, "f");

        var set = await CallFailure.Expect(errno, () => gofer.Client.SetXattrAsync(new SetXattrRequest { Handle = file, Name = name, Value = Name("y") }));
        await CallFailure.Expect(errno, () => gofer.Client.GetXattrAsync(new GetXattrRequest { Handle = file, Name = name }));
        await CallFailure.Expect(errno, () => gofer.Client.RemoveXattrAsync(new RemoveXattrRequest { Handle = file, Name = name }));

        Assert.StartsWith($"setxattr \"{name}\": {Errno.Name(errno)}", set.Message, StringComparison.Ordinal);
        Assert.Empty((await gofer.Client.ListXattrAsync(new ListXattrRequest { Handle = file })).Names);
    }

    [Fact]
    public async Task ListXattr_shows_only_the_names_a_client_may_use_on_that_layer()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        foreach (var layer in new[] { Upper, InProcessGofer.BindId })
        {
            var path = gofer.PathOf(layer, "f");
            File.WriteAllText(path, "");
            OnDisk.SetXattr(path, "user.visible", "1"u8.ToArray());
            OnDisk.SetXattr(path, "trusted.overlay.origin", "2"u8.ToArray());
            OnDisk.SetXattr(path, "trusted.hidden", "3"u8.ToArray());
            OnDisk.SetXattr(path, "security.hidden", "4"u8.ToArray());
        }

        var upper = await gofer.Client.LookupAsync(Upper, "f");
        var bind = await gofer.Client.LookupAsync(InProcessGofer.BindId, "f");

        Assert.Equal(["trusted.overlay.origin", "user.visible"], (await gofer.Client.ListXattrAsync(new ListXattrRequest { Handle = upper })).Names.Order());
        Assert.Equal(["user.visible"], (await gofer.Client.ListXattrAsync(new ListXattrRequest { Handle = bind })).Names);
    }

    [Fact]
    public async Task Malformed_names_and_oversized_values_are_refused()
    {
        await using var gofer = await InProcessGofer.StartAsync();
        var path = gofer.PathOf(Upper, "f");
        File.WriteAllText(path, "");
        var file = await gofer.Client.LookupAsync(Upper, "f");
        var longName = "user." + new string('n', 251);

        await CallFailure.Expect(Errno.EINVAL, () => gofer.Client.GetXattrAsync(new GetXattrRequest { Handle = file, Name = "" }));
        await CallFailure.Expect(Errno.EINVAL, () => gofer.Client.SetXattrAsync(new SetXattrRequest { Handle = file, Name = "user.a\0b", Value = Name("x") }));
        await CallFailure.Expect(Errno.ERANGE, () => gofer.Client.SetXattrAsync(new SetXattrRequest { Handle = file, Name = longName, Value = Name("x") }));
        var big = await CallFailure.Expect(Errno.E2BIG, () => gofer.Client.SetXattrAsync(new SetXattrRequest { Handle = file, Name = "user.big", Value = ByteString.CopyFrom(new byte[65_537]) }));

        Assert.StartsWith("setxattr \"user.big\"", big.Message, StringComparison.Ordinal);
        Assert.Null(OnDisk.GetXattr(path, "user.big"));
    }
}
