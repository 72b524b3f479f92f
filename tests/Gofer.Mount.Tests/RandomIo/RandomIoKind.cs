namespace Gofer.Mount.Tests.RandomIo;

/// <summary>What one step of a random I/O script does to the file, after fsx's operations.</summary>
public enum RandomIoKind
{
    /// <summary>pread(2).</summary>
    Read,

    /// <summary>pwrite(2), possibly past the end (a hole in between).</summary>
    Write,

    /// <summary>ftruncate(2), shrinking or growing.</summary>
    Truncate,

    /// <summary>Reads through a shared mapping (within the file's size, as a mapping faults past it).</summary>
    MapRead,

    /// <summary>Writes through a shared mapping and msyncs; the file is first grown to hold it, as fsx does.</summary>
    MapWrite,

    /// <summary>fsync(2).</summary>
    Fsync,

    /// <summary>close(2) and open(2) again: what is cached per open file must not matter.</summary>
    Reopen,
}
