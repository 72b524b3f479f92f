using System.CommandLine;
using Gofer.Server.Confinement;

namespace Gofer.Cli;

/// <summary>The socket keeper (hidden command <c>keep-socket</c>), started by `gofer serve`; see <see cref="SocketKeeper"/>.</summary>
public static class KeepSocketCommand
{
    public static Command Create()
    {
        var directory = DescriptorOption.Create("--directory-fd", "O_PATH descriptor of the socket's directory.");
        var hangup = DescriptorOption.Create("--hangup-fd", "Read end of the pipe the serving gofer holds.");
        var name = new Option<string>("--name") { Description = "The socket's name in that directory.", Required = true };
        var device = new Option<ulong>("--device") { Description = "Device of the socket inode bound.", Required = true };
        var inode = new Option<ulong>("--inode") { Description = "Its inode number.", Required = true };
        var command = new Command(SocketKeeper.CommandName, "Removes gofer serve's socket once it has ended (started by gofer serve itself).")
        {
            directory, hangup, name, device, inode,
        };
        command.Hidden = true;
        command.Validators.Add(result =>
        {
            if (result.GetResult(directory) is null || result.GetResult(hangup) is null)
            {
                result.AddError("--directory-fd and --hangup-fd are required");
            }
        });
        command.SetAction(result =>
        {
            try
            {
                return SocketKeeper.Run(result.GetValue(directory)!.Value, result.GetValue(name)!, result.GetValue(device), result.GetValue(inode), result.GetValue(hangup)!.Value);
            }
            catch (Exception e) when (FailureMessage.IsExpected(e))
            {
                FailureMessage.Write(SocketKeeper.CommandName, "removing the socket", e);
                return ExitCodes.Failure;
            }
        });
        return command;
    }
}
