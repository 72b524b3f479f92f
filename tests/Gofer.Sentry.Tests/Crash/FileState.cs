namespace Gofer.Sentry.Tests.Crash;

/// <summary>Where a large file is in the view (null once unlinked), its mode and its content, after some steps of a script.</summary>
public sealed record FileState(string? Path, int Mode, FileContent Content);
