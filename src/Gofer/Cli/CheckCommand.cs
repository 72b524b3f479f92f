using System.CommandLine;
using Gofer.Server.Confinement;
using Gofer.Server.Spec;

namespace Gofer.Cli;

/// <summary>`gofer check`: print the mount plan of a bundle and every problem found, without staging anything.</summary>
public static class CheckCommand
{
    public static Command Create()
    {
        var bundle = new Option<string>("--bundle") { Description = "The OCI bundle directory (holding config.json).", Required = true };
        var command = new Command("check", "Print the serving gofer's privileges and the mount plan of a bundle (each mount, each layer, its staging path, ro/rw) and every problem; exit 1 on any.")
        {
            bundle,
        };
        command.SetAction(result =>
        {
            try
            {
                using var loaded = BundleLoader.Load(result.GetValue(bundle)!, new UpperFilesystemProbe());

                // The privileges first: the mount plan ends with its problems, one a line.
                if (loaded.Plan is { } plan)
                {
                    Console.Out.Write(PrivilegePlanFormatter.Format(plan, StartFiles.OfThisProcess()));
                }

                Console.Out.Write(MountPlanFormatter.Format(loaded));
                Console.Out.Flush();
                return loaded.Problems.Count == 0 ? ExitCodes.Success : ExitCodes.SpecRefused;
            }
            catch (Exception e) when (FailureMessage.IsExpected(e))
            {
                // Bad input is a problem in the plan; what lands here is the system refusing (the
                // upper's probe, a closed stdout).
                FailureMessage.Write("check", "checking the bundle", e);
                return ExitCodes.Failure;
            }
        });
        return command;
    }
}
