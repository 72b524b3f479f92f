using System.Runtime.CompilerServices;
using Gofer.Fuse.Mounting;
using Gofer.Fuse.Protocol;
using Gofer.Native;
using Gofer.Server.Tests;
using Gofer.Server.Tests.EndToEnd;

namespace Gofer.Fuse.Tests;

/// <summary>Mounting, unmounting from inside and outside, and the kernel's struct layouts.</summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class MountTests(PublishedGofer gofer)
{
    [Fact]
    public async Task The_mount_is_listed_with_its_type_source_and_flags()
    {
        await using var overlay = await MountedOverlay.StartAsync(gofer);
        Assert.True(File.Exists(overlay.Path("top.txt")));
        var line = File.ReadLines("/proc/self/mountinfo").Single(l => l.Split(' ')[4] == overlay.Root);
        Assert.Contains(" - fuse.gofer gofer-test ", line, StringComparison.Ordinal);
        Assert.Contains("nosuid", line, StringComparison.Ordinal);
        Assert.Contains("nodev", line, StringComparison.Ordinal);
        Assert.Contains("allow_other", line, StringComparison.Ordinal);
        Assert.Contains("default_permissions", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unmount_removes_the_mount_and_ends_Serve_even_with_a_file_open()
    {
        await using var overlay = await MountedOverlay.StartAsync(gofer);
        using var open = Sys.Open(overlay.Path("top.txt"), Syscalls.O_RDONLY);
        overlay.Mount.Unmount();
        Assert.False(overlay.IsListed());
        await overlay.Serving;
        overlay.Mount.Unmount();
    }

    [Fact]
    public async Task Umount_from_outside_ends_Serve()
    {
        await using var overlay = await MountedOverlay.StartAsync(gofer);
        Assert.Equal("top\n", File.ReadAllText(overlay.Path("top.txt")));
        Tool.Check("umount", overlay.Root);
        await overlay.Serving;
        Assert.False(overlay.IsListed());
    }

    [Fact]
    public void Dispose_without_Serve_unmounts()
    {
        using var directory = new TempDirectory("gofer-fuse-");
        var mount = FuseMount.Mount(directory.Path, new FuseMountOptions("unused", "gofer") { ReadOnly = true });
        Assert.Contains(File.ReadLines("/proc/self/mountinfo"), l => l.Split(' ')[4] == directory.Path);
        mount.Dispose();
        Assert.DoesNotContain(File.ReadLines("/proc/self/mountinfo"), l => l.Split(' ')[4] == directory.Path);
    }

    [Fact]
    public void Mount_options_carry_the_descriptor_and_the_security_choices()
    {
        var options = new FuseMountOptions("src", "gofer");
        Assert.Equal("fd=7,rootmode=40000,user_id=0,group_id=0,default_permissions,allow_other", KernelMount.Options(7, options));
        Assert.Equal("fd=7,rootmode=40000,user_id=0,group_id=0,default_permissions", KernelMount.Options(7, options with { AllowOther = false }));
        Assert.Equal(Syscalls.MS_NOSUID | Syscalls.MS_NODEV, KernelMount.Flags(options));
        Assert.Equal(Syscalls.MS_RDONLY | Syscalls.MS_NOEXEC | 1024, KernelMount.Flags(options with { ReadOnly = true, NoSuid = false, NoDev = false, NoExec = true, NoAtime = true }));
        Assert.Equal(Errno.EINVAL, Assert.Throws<ErrnoException>(() => FuseMount.Mount("/nonexistent", new FuseMountOptions("s", "a,allow_other"))).Errno);
    }

    [Fact]
    public void Kernel_structs_have_the_sizes_of_fuse_h()
    {
        // The managed size: what MemoryMarshal.Read and Write copy to and from the kernel's bytes.
        Assert.Equal(40, Unsafe.SizeOf<FuseInHeader>());
        Assert.Equal(16, Unsafe.SizeOf<FuseOutHeader>());
        Assert.Equal(88, Unsafe.SizeOf<FuseAttr>());
        Assert.Equal(128, Unsafe.SizeOf<FuseEntryOut>());
        Assert.Equal(104, Unsafe.SizeOf<FuseAttrOut>());
        Assert.Equal(64, Unsafe.SizeOf<FuseInitIn>());
        Assert.Equal(64, Unsafe.SizeOf<FuseInitOut>());
        Assert.Equal(88, Unsafe.SizeOf<FuseSetAttrIn>());
        Assert.Equal(40, Unsafe.SizeOf<FuseReadIn>());
        Assert.Equal(40, Unsafe.SizeOf<FuseWriteIn>());
        Assert.Equal(16, Unsafe.SizeOf<FuseCreateIn>());
        Assert.Equal(16, Unsafe.SizeOf<FuseOpenOut>());
        Assert.Equal(24, Unsafe.SizeOf<FuseReleaseIn>());
        Assert.Equal(16, Unsafe.SizeOf<FuseRename2In>());
        Assert.Equal(80, Unsafe.SizeOf<FuseStatFsOut>());
        Assert.Equal(24, Unsafe.SizeOf<FuseDirentHeader>());
        Assert.Equal(24, Unsafe.SizeOf<FuseNotifyInvalInodeOut>());
    }
}
