namespace Gofer.Sentry.FileSystem;

/// <summary>renameat2(2) behaviour of a rename.</summary>
public enum RenameMode
{
    /// <summary>Replace the target if it exists (rename(2)).</summary>
    Replace,

    /// <summary>RENAME_NOREPLACE: fail with EEXIST if the target exists.</summary>
    NoReplace,

    /// <summary>RENAME_EXCHANGE: swap the two names atomically.</summary>
    Exchange,
}
