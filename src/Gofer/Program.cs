using System.CommandLine;
using Gofer.Cli;
using Gofer.Native;

var root = new RootCommand("gofer: serves the layers of an OCI bundle's mounts (rootfs, binds, overlays) over gRPC on a Unix socket, from a private mount namespace.")
{
    ServeCommand.Create(args),
    CheckCommand.Create(),
    ExecCommand.Create(),
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
