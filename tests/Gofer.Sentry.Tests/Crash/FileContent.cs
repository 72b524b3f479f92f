namespace Gofer.Sentry.Tests.Crash;

/// <summary>The contents a large file may have in a crash round: each is whole, never a mix.</summary>
public enum FileContent
{
    /// <summary>As the lower layer has it.</summary>
    Original,

    /// <summary>The original followed by the file's suffix.</summary>
    Appended,

    /// <summary>The first <see cref="LargeFile.TruncatedSize"/> bytes of the original.</summary>
    Truncated,
}
