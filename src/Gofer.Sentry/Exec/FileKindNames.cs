using Gofer.Sentry.FileSystem;

namespace Gofer.Sentry.Exec;

/// <summary>The <c>type</c> strings of `gofer exec`.</summary>
internal static class FileKindNames
{
    public static string Of(FileKind kind) => kind switch
    {
        FileKind.File => "file",
        FileKind.Directory => "dir",
        FileKind.Symlink => "symlink",
        FileKind.Fifo => "fifo",
        FileKind.CharDevice => "char",
        FileKind.BlockDevice => "block",
        FileKind.Socket => "socket",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a file kind"),
    };
}
