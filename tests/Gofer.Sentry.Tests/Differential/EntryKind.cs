namespace Gofer.Sentry.Tests.Differential;

/// <summary>What one entry of a layer is on disk.</summary>
public enum EntryKind
{
    Directory,
    File,
    Symlink,
    Fifo,

    /// <summary>The overlay whiteout: a character device 0/0.</summary>
    Whiteout,

    /// <summary>A second name for a regular file made earlier in the same layer.</summary>
    HardLink,
}
