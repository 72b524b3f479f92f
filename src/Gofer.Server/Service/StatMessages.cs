using Gofer.Native;
using Gofer.Protocol.V1;

namespace Gofer.Server.Service;

/// <summary>Conversions from the native stat records to their wire messages.</summary>
public static class StatMessages
{
    public static Stat ToMessage(this in FileStatus s) => new()
    {
        Dev = s.Device,
        Ino = s.Inode,
        Mode = s.Mode,
        Nlink = s.LinkCount,
        Uid = s.Uid,
        Gid = s.Gid,
        Rdev = s.RawDevice,
        Size = s.Size,
        Blocks = s.Blocks,
        Blksize = s.BlockSize,
        Atime = new Timespec { Sec = s.AccessSeconds, Nsec = s.AccessNanoseconds },
        Mtime = new Timespec { Sec = s.ModifySeconds, Nsec = s.ModifyNanoseconds },
        Ctime = new Timespec { Sec = s.ChangeSeconds, Nsec = s.ChangeNanoseconds },
    };

    public static StatFsResponse ToMessage(this in FilesystemStatus s) => new()
    {
        Type = (ulong)s.Type,
        BlockSize = (ulong)s.BlockSize,
        Blocks = s.Blocks,
        BlocksFree = s.BlocksFree,
        BlocksAvailable = s.BlocksAvailable,
        Files = s.Files,
        FilesFree = s.FilesFree,
        NameMax = (ulong)s.NameMax,
        FragmentSize = (ulong)s.FragmentSize,
    };
}
