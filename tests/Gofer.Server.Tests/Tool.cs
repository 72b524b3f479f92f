using System.Diagnostics;

namespace Gofer.Server.Tests;

/// <summary>Runs a command to completion and returns what it said.</summary>
public static class Tool
{
    public static (int ExitCode, string Stdout, string Stderr) Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs a command that must succeed; returns its stdout.</summary>
    public static string Check(string program, params string[] arguments)
    {
        var (exit, stdout, stderr) = Run(program, arguments);
        // dotnet and friends print their errors on stdout: both go into the failure.
        return exit == 0 ? stdout : throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited {exit}: {stderr}{stdout}");
    }
}
