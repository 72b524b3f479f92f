using System.Diagnostics;

namespace Gofer.Sentry.Tests.Differential;

/// <summary>Runs a program with a script on its stdin and collects its answer lines.</summary>
public static class ScriptProcess
{
    public static async Task<ExecOutput> RunAsync(IReadOnlyList<string> command, string input)
    {
        using var process = Process.Start(new ProcessStartInfo(command[0], command.Skip(1))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"could not start {command[0]}");

        // Both outputs are drained while the input is written, so neither side can block the other.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program exited without reading all of its input; its status and stderr say why.
        }

        await process.WaitForExitAsync();
        var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return new ExecOutput(string.Join(' ', command.Select(Quote)), process.ExitCode, lines, await stderr);
    }

    /// <summary>A word as a shell reads it back, so a reported command can be pasted.</summary>
    private static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "/._-=+:,@%".Contains(c, StringComparison.Ordinal))
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
