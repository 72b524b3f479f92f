using System.CommandLine;
using Gofer.Cli;
using Gofer.Native;

// Invoked as gofer-overlay (mount.fuse3 runs the helper named by the type fuse.gofer-overlay),
// the binary is `gofer mount`. argv[0] is read as given, not as the runtime resolved it.
var invokedAs = File.ReadAllText("/proc/self/cmdline").Split('\0')[0];
if (Path.GetFileName(invokedAs) == MountCommand.HelperName)
{
    args = ["mount", .. args];
}

var root = new RootCommand("gofer: serves the layers of an OCI bundle's mounts (rootfs, binds, overlays) over gRPC on a Unix socket, from a private mount namespace.")
{
    ServeCommand.Create(args),
    CheckCommand.Create(),
    ExecCommand.Create(),
    MountCommand.Create(args),
};

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // A wrong command line has its own exit status, apart from a refused spec (1).
    foreach (var error in parsed.Errors)
    {
        await Console.Error.WriteLineAsync($"gofer: {error.Message}").ConfigureAwait(false);
    }

    await Console.Error.WriteLineAsync("gofer: see gofer --help").ConfigureAwait(false);
    return ExitCodes.Usage;
}

try
{
    return await parsed.InvokeAsync().ConfigureAwait(false);
}
catch (ErrnoException e)
{
    await Console.Error.WriteLineAsync($"gofer: {e.Message}").ConfigureAwait(false);
    return ExitCodes.Failure;
}
