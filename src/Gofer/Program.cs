using System.CommandLine;
using Gofer.Cli;
using Gofer.Native;

var root = new RootCommand("gofer: serves the layers of an OCI bundle's mounts (rootfs, binds, overlays) over gRPC on a Unix socket, from a private mount namespace.")
{
    ServeCommand.Create(args),
    CheckCommand.Create(),
    ExecCommand.Create(),
};

try
{
    return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
}
catch (ErrnoException e)
{
    await Console.Error.WriteLineAsync($"gofer: {e.Message}").ConfigureAwait(false);
    return ExitCodes.Failure;
}
