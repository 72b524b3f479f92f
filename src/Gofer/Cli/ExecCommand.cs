using System.CommandLine;
using System.Text;
using Gofer.Native;
using Gofer.Sentry.Composition;
using Gofer.Sentry.Exec;
using Gofer.Sentry.FileSystem;
using Gofer.Sentry.Host;

namespace Gofer.Cli;

/// <summary>
/// `gofer exec`: filesystem operations as JSON lines on stdin, one JSON answer per line on stdout
/// (the format the README describes), through a gofer's composed view of a mount or with plain system
/// calls on a host directory, so that one script can be compared across the two.
/// </summary>
public static class ExecCommand
{
    public static Command Create()
    {
        var directory = new Option<string?>("--dir") { Description = "Run the operations with plain system calls on this host directory, which is the script's \"/\"." };
        var socket = new Option<string?>("--socket") { Description = "Run them through the gofer serving on this Unix socket." };
        var mount = new Option<string?>("--mount") { Description = "With --socket: the destination of the served mount whose composed view is the script's \"/\"." };
        var command = new Command("exec", "Read filesystem operations as JSON lines on stdin and answer each with one JSON line on stdout.")
        {
            directory, socket, mount,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(directory) is null) == (result.GetValue(socket) is null))
            {
                result.AddError("give exactly one of --dir PATH and --socket SOCK");
            }

            if ((result.GetValue(socket) is null) != (result.GetValue(mount) is null))
            {
                result.AddError("--socket SOCK and --mount DEST go together");
            }
        });
        command.SetAction(result => Run(result.GetValue(directory), result.GetValue(socket), result.GetValue(mount)));
        return command;
    }

    private static int Run(string? directory, string? socket, string? mount)
    {
        // Modes in a script are applied exactly as given, as the kernel would with umask 0.
        Syscalls.Umask(0);
        IFileSystem fileSystem;
        try
        {
            // .NET reports connect(2)'s ENOENT as EADDRNOTAVAIL: a socket path that is not there
            // is named as such first.
            if (socket is not null && Syscalls.StatPath(socket, followSymlink: true, out _) is < 0 and var missing)
            {
                throw new ErrnoException(-missing, "connect", socket);
            }

            fileSystem = directory is not null ? HostDirectoryFileSystem.Open(directory) : SentryMounts.Open(socket!, mount!);
        }
        catch (Exception e) when (FailureMessage.IsExpected(e))
        {
            // Connected, but no gofer answered (the peer closed or spoke something else), counts
            // as not reached, as does a socket nobody listens on.
            FailureMessage.Write("exec", directory is not null ? $"opening --dir {directory}" : $"reaching the gofer on {socket}", e);
            return ExitCodes.Failure;
        }

        using (fileSystem as IDisposable)
        {
            using var input = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            using var output = Console.OpenStandardOutput();
            try
            {
                new ExecEngine(fileSystem).Run(input, output);
            }
            catch (IOException e)
            {
                // stdin or stdout failed (a closed pipe): the answers can no longer be delivered.
                FailureMessage.Write("exec", "reading requests or writing answers", e);
                return ExitCodes.Failure;
            }
        }

        return ExitCodes.Success;
    }
}
