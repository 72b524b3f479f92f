namespace Gofer.Sentry.Exec;

/// <summary>
/// A request line refused before anything is done: not JSON, not an object, an unknown op, a missing
/// or ill-typed argument. Answered with EINVAL and this message, which names what was wrong.
/// </summary>
public sealed class InvalidRequestException : Exception
{
    public InvalidRequestException()
    {
    }

    public InvalidRequestException(string message)
        : base(message)
    {
    }

    public InvalidRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
