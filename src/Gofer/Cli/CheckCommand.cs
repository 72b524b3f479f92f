using System.CommandLine;
using Gofer.Server.Spec;

namespace Gofer.Cli;

/// <summary>`gofer check`: print the mount plan of a bundle and every problem found, without staging anything.</summary>
public static class CheckCommand
{
    public static Command Create()
    {
        var bundle = new Option<string>("--bundle") { Description = "The OCI bundle directory (holding config.json).", Required = true };
        var command = new Command("check", "Print the mount plan of a bundle (each mount, each layer, its staging path, ro/rw) and every problem; exit 1 on any.")
        {
            bundle,
        };
        command.SetAction(result =>
        {
            var loaded = BundleLoader.Load(result.GetValue(bundle)!, new UpperFilesystemProbe());
            Console.Out.Write(MountPlanFormatter.Format(loaded));
            return loaded.Problems.Count == 0 ? ExitCodes.Success : ExitCodes.SpecRefused;
        });
        return command;
    }
}
