namespace Gofer.Protocol.Framing;

/// <summary>A framed session's byte stream is not a sequence of well-formed, bounded messages.</summary>
public sealed class FramingException : Exception
{
    public FramingException()
    {
    }

    public FramingException(string message)
        : base(message)
    {
    }

    public FramingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
