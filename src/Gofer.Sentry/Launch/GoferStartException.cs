namespace Gofer.Sentry.Launch;

/// <summary>A gofer exited before it served: its exit status and what it wrote on stderr.</summary>
public sealed class GoferStartException : InvalidOperationException
{
    public GoferStartException(int exitCode, string stderr)
        : base($"gofer exited with status {exitCode} before serving:\n{stderr}")
    {
        ExitCode = exitCode;
        Stderr = stderr;
    }

    public GoferStartException()
    {
        Stderr = "";
    }

    public GoferStartException(string message)
        : base(message)
    {
        Stderr = "";
    }

    public GoferStartException(string message, Exception innerException)
        : base(message, innerException)
    {
        Stderr = "";
    }

    public int ExitCode { get; }

    public string Stderr { get; }
}
