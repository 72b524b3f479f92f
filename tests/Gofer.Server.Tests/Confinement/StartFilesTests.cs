using Gofer.Server.Confinement;

namespace Gofer.Server.Tests.Confinement;

/// <summary>The files an exec needs inside the staging root, as read off a process.</summary>
public class StartFilesTests
{
    [Fact]
    public void The_mapped_files_are_the_absolute_paths_once_each_without_deleted_ones()
    {
        string[] maps =
        [
            "55d0c0a00000-55d0c0a1a000 r--p 00000000 fe:00 1234   /opt/gofer/gofer",
            "55d0c0a1a000-55d0c0b00000 r-xp 0001a000 fe:00 1234   /opt/gofer/gofer",
            "7f0000000000-7f0000001000 rw-p 00000000 00:00 0 ",
            "7f0000001000-7f0000002000 r--p 00000000 fe:00 77     /usr/lib/x86_64-linux-gnu/libc.so.6",
            "7f0000002000-7f0000003000 r--p 00000000 00:01 9      /memfd:doublemapper (deleted)",
            "7ffd00000000-7ffd00001000 rw-p 00000000 00:00 0      [stack]",
            "7f0000003000-7f0000004000 r--p 00000000 fe:00 78     /usr/lib/x86_64-linux-gnu/lib with space.so",
        ];

        Assert.Equal(
            ["/opt/gofer/gofer", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/lib with space.so"],
            StartFiles.MappedFiles(maps));
    }

    [Fact]
    public void This_process_needs_its_executable_its_loader_and_libc()
    {
        var files = StartFiles.OfThisProcess();
        Assert.Equal(new FileInfo("/proc/self/exe").LinkTarget, files.Executable.Source);
        Assert.Same(files.Executable, files.Files[0]);

        // The loader at the name the binary gives the kernel, bound from the real file.
        var interpreter = StartFiles.InterpreterOf(files.Executable.Source);
        Assert.NotNull(interpreter);
        Assert.Contains(files.Files, f => f.Target == interpreter);
        Assert.Contains(files.Files, f => Path.GetFileName(f.Target) == "libc.so.6");
        Assert.All(files.Files, f => Assert.StartsWith("/", f.Target, StringComparison.Ordinal));
    }
}
