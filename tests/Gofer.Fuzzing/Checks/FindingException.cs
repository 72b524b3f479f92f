namespace Gofer.Fuzzing;

/// <summary>What an input broke.</summary>
public enum FindingKind
{
    /// <summary>An exception escaped the code under test (in the gofer it would end the connection or the process).</summary>
    UnhandledException,

    /// <summary>The input was not done within the deadline.</summary>
    Hang,

    /// <summary>The process held more descriptors after the session ended than before it began.</summary>
    LeakedDescriptor,

    /// <summary>A reply that a client could not take as the answer to its request.</summary>
    MalformedReply,

    /// <summary>A read-only layer, or the directory beside the layers, changed.</summary>
    GuardedLayerChanged,
}

/// <summary>An input broke one of the harness's rules; the campaign keeps the input and reports this.</summary>
public sealed class FindingException : Exception
{
    public FindingException()
        : this(FindingKind.UnhandledException, "unknown")
    {
    }

    public FindingException(string message)
        : this(FindingKind.UnhandledException, message)
    {
    }

    public FindingException(string message, Exception innerException)
        : base(message, innerException)
    {
        Kind = FindingKind.UnhandledException;
    }

    public FindingException(FindingKind kind, string message, Exception? innerException = null)
        : base($"{kind}: {message}", innerException)
    {
        Kind = kind;
    }

    public FindingKind Kind { get; }
}
