namespace Gofer.Sentry.FileSystem;

/// <summary>The type of a file (`gofer exec` spells them file, dir, symlink, fifo, char, block, socket).</summary>
public enum FileKind
{
    File,
    Directory,
    Symlink,
    Fifo,
    CharDevice,
    BlockDevice,
    Socket,
}
