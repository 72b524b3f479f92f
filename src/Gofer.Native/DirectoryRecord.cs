namespace Gofer.Native;

/// <summary>One record of getdents64(2): the name's bytes (without the NUL), its inode number and its d_type.</summary>
public readonly record struct DirectoryRecord(byte[] Name, ulong Inode, byte Type);
