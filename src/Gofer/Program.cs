using System.CommandLine;
using Gofer.Cli;

// The last-resort net. Each command catches the failures it expects where they happen and says
// what it was doing; whatever still escapes (on this thread or any other) is reported as one line
// too, with the staging/serving status, never as System.CommandLine's or the runtime's stack trace.
AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    Console.Error.WriteLine($"gofer: unexpected failure: {(e.ExceptionObject is Exception x ? FailureMessage.Why(x) : e.ExceptionObject)}".ReplaceLineEndings("; "));
    Environment.Exit(ExitCodes.Failure);
};

// Invoked as gofer-overlay (mount.fuse3 runs the helper named by the type fuse.gofer-overlay),
// the binary is `gofer mount`. argv[0] is read as given, not as the runtime resolved it. Inside
// the staging root (the serving image, the socket keeper) there is no /proc/self/cmdline, and no
// helper either.
var cmdline = new FileInfo("/proc/self/cmdline");
var invokedAs = cmdline.Exists ? File.ReadAllText(cmdline.FullName).Split('\0')[0] : "";
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
    KeepSocketCommand.Create(),
};

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // A wrong command line has its own exit status, apart from a refused spec (1), and is one
    // line like every other failure: the library's messages, some of several lines, joined.
    var errors = string.Join("; ", parsed.Errors.Select(e => e.Message.Trim()).Distinct()).ReplaceLineEndings(" ");
    await Console.Error.WriteLineAsync($"gofer: {errors} (see gofer --help)").ConfigureAwait(false);
    return ExitCodes.Usage;
}

try
{
    return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
}
#pragma warning disable CA1031 // The last resort must catch everything: no stack trace reaches a user.
catch (Exception e)
#pragma warning restore CA1031
{
    await Console.Error.WriteLineAsync($"gofer: unexpected failure: {FailureMessage.Why(e)}".ReplaceLineEndings("; ")).ConfigureAwait(false);
    return ExitCodes.Failure;
}
