namespace Gofer.Cli;

/// <summary>What the gofer's exit status means.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The bundle's spec was refused (or `check` found problems).</summary>
    public const int SpecRefused = 1;

    /// <summary>The command line was wrong.</summary>
    public const int Usage = 2;

    /// <summary>Staging or serving failed (a system call refused, the socket could not be bound, …).</summary>
    public const int Failure = 3;
}
