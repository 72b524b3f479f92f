using System.Buffers.Binary;
using System.Text;
using Gofer.Fuse.Protocol;
using Gofer.Fuzzing.Layers;
using Gofer.Fuzzing.Mutation;
using Gofer.Native;

namespace Gofer.Fuzzing.Fuse;

/// <summary>
/// Makes FUSE target inputs from a seed: INIT, then requests as the kernel lays them out
/// (fuse_in_header, the opcode's fixed struct, NUL-terminated names, data), naming nodes and file
/// handles the server would have handed out (both are numbered in order), with wild values in
/// some fields (a header length that lies, an unknown node, names that are not one component or
/// not UTF-8, sizes past the buffer) and in some messages blind byte damage. The same seed always
/// makes the same bytes.
/// </summary>
public sealed class FuseRequestGenerator(int seed)
{
    /// <summary>The umask the kernel passes along (022).</summary>
    private const uint Umask = 0x12;

    private readonly Random random = new(seed);
    private ulong nodes;
    private ulong files;
    private ulong unique;

    public byte[] Next()
    {
        nodes = 1;
        files = 0;
        var messages = new List<byte[]>();
        if (random.Next(10) != 0)
        {
            messages.Add(Init());
        }

        for (var count = random.Next(1, 25); count > 0; count--)
        {
            var message = Request();
            messages.Add(random.Next(7) == 0 ? ByteMutator.Mutate(random, message, 3) : message);
        }

        return FuseInput.Join(messages.Where(m => m.Length <= FuseInput.MaxMessage));
    }

    private bool Wild(int oneIn) => random.Next(oneIn) == 0;

    private byte[] Init()
    {
        var init = new Message(this, FuseOpcode.Init, 0);
        init.U32(Wild(8) ? (uint)random.Next(5, 9) : 7).U32(Wild(8) ? (uint)random.Next() : (uint)random.Next(12, 42)).U32(128 << 10).U32((uint)random.Next()).U32(0);
        init.Zeros(Wild(4) ? random.Next(0, 44) : 44);
        return init.Build();
    }

    private byte[] Request()
    {
        switch (random.Next(34))
        {
            case 0 or 1 or 2:
                nodes++;
                return new Message(this, FuseOpcode.Lookup, Directory()).Name(Name()).Build();
            case 3: return new Message(this, FuseOpcode.GetAttr, Node()).U32(Wild(2) ? 1u : 0).U32(0).U64(File()).Build();
            case 4: return SetAttr();
            case 5: return new Message(this, FuseOpcode.ReadLink, Node()).Build();
            case 6:
                nodes++;
                return new Message(this, FuseOpcode.Symlink, Directory()).Name(Name()).Name(Wild(3) ? "/"u8.ToArray() : "f"u8.ToArray()).Build();
            case 7:
                nodes++;
                return new Message(this, FuseOpcode.Mknod, Directory()).U32(NodeMode()).U32(Wild(3) ? (uint)random.Next() : 0).U32(Umask).U32(0).Name(Name()).Build();
            case 8:
                nodes++;
                return new Message(this, FuseOpcode.Mkdir, Directory()).U32(Mode()).U32(Umask).Name(Name()).Build();
            case 9: return new Message(this, FuseOpcode.Unlink, Directory()).Name(Name()).Build();
            case 10: return new Message(this, FuseOpcode.Rmdir, Directory()).Name(Name()).Build();
            case 11: return new Message(this, FuseOpcode.Rename, Directory()).U64(Directory()).Name(Name()).Name(Name()).Build();
            case 12: return new Message(this, FuseOpcode.Rename2, Directory()).U64(Directory()).U32(Wild(3) ? (uint)random.Next() : (uint)random.Next(8)).U32(0).Name(Name()).Name(Name()).Build();
            case 13:
                nodes++;
                return new Message(this, FuseOpcode.Link, Directory()).U64(Node()).Name(Name()).Build();
            case 14 or 15:
                files++;
                return new Message(this, FuseOpcode.Open, Node()).U32(OpenFlags()).U32(0).Build();
            case 16:
                files++;
                nodes++;
                return new Message(this, FuseOpcode.Create, Directory()).U32(OpenFlags() | (uint)Syscalls.O_CREAT).U32(Mode() | FileStatus.Regular).U32(Umask).U32(0).Name(Name()).Build();
            case 17 or 18: return ReadLike(FuseOpcode.Read);
            case 19: return Write();
            case 20: return new Message(this, FuseOpcode.Flush, Node()).U64(File()).U32(0).U32(0).U64(0).Build();
            case 21: return new Message(this, FuseOpcode.Release, Node()).U64(File()).U32(0).U32(0).U64(0).Build();
            case 22: return new Message(this, FuseOpcode.Fsync, Node()).U64(File()).U32((uint)random.Next(2)).U32(0).Build();
            case 23:
                files++;
                return new Message(this, FuseOpcode.OpenDir, Node()).U32(0).U32(0).Build();
            case 24 or 25: return ReadLike(FuseOpcode.ReadDir);
            case 26: return new Message(this, Wild(2) ? FuseOpcode.ReleaseDir : FuseOpcode.FsyncDir, Node()).U64(File()).U32(0).U32(0).U64(0).Build();
            case 27: return new Message(this, FuseOpcode.StatFs, Node()).Build();
            case 28:
                var value = new byte[Wild(10) ? (64 << 10) + random.Next(0, 2) : random.Next(0, 8)];
                return new Message(this, FuseOpcode.SetXattr, Node()).U32((uint)value.Length).U32((uint)random.Next(3)).Name(XattrName()).Bytes(value).Build();
            case 29: return new Message(this, FuseOpcode.GetXattr, Node()).U32(XattrSize()).U32(0).Name(XattrName()).Build();
            case 30: return new Message(this, random.Next(2) == 0 ? FuseOpcode.ListXattr : FuseOpcode.RemoveXattr, Node()).U32(XattrSize()).U32(0).Name(XattrName()).Build();
            case 31: return Forget();
            default:
                FuseOpcode[] others = [FuseOpcode.Interrupt, FuseOpcode.Access, FuseOpcode.Destroy, FuseOpcode.GetLk, FuseOpcode.Ioctl, FuseOpcode.ReadDirPlus, FuseOpcode.Lseek, FuseOpcode.Statx, FuseOpcode.NotifyReply];
                var opcode = Wild(3) ? (FuseOpcode)random.Next(0, 100) : others[random.Next(others.Length)];
                return new Message(this, opcode, Node()).U64((ulong)random.NextInt64()).Build();
        }
    }

    private byte[] SetAttr()
    {
        var set = new Message(this, FuseOpcode.SetAttr, Node());
        set.U32((uint)random.Next(0, 1 << 10)).U32(0).U64(File()).U64(Wild(4) ? (ulong)random.NextInt64() : (ulong)random.Next(0, 1 << 16)).U64(0);
        set.U64((ulong)random.NextInt64()).U64((ulong)random.Next()).U64(0).U32((uint)random.Next()).U32((uint)random.Next(1_000_000_000)).U32(0);
        set.U32(Wild(4) ? (uint)random.Next() : Mode()).U32(0).U32(Owner()).U32(Owner()).U32(0);
        return set.Build();
    }

    private byte[] ReadLike(FuseOpcode opcode)
    {
        var size = random.Next(6) switch
        {
            0 => 0u,
            1 => uint.MaxValue,
            2 => (uint)(1 << 20),
            3 => (uint)(1 << 20) + 1,
            _ => (uint)random.Next(1, 1 << 16),
        };
        var offset = Wild(5) ? (ulong)random.NextInt64() | (Wild(2) ? 1UL << 63 : 0) : (ulong)random.Next(0, 1 << 16);
        return new Message(this, opcode, Node()).U64(File()).U64(offset).U32(size).U32(0).U64(0).U32(0).U32(0).Build();
    }

    private byte[] Write()
    {
        var data = new byte[Wild(20) ? 128 << 10 : random.Next(0, 4096)];
        var size = Wild(6) ? (uint)random.Next() : (uint)data.Length;
        return new Message(this, FuseOpcode.Write, Node()).U64(File()).U64(Wild(6) ? (ulong)random.NextInt64() : (ulong)random.Next(0, 1 << 20)).U32(size).U32(0).U64(0).U32(0).U32(0).Bytes(data).Build();
    }

    private byte[] Forget()
    {
        if (random.Next(2) == 0)
        {
            return new Message(this, FuseOpcode.Forget, Node()).U64(Wild(4) ? ulong.MaxValue : (ulong)random.Next(1, 3)).Build();
        }

        var count = Wild(5) ? (uint)random.Next() : (uint)random.Next(0, 4);
        var batch = new Message(this, FuseOpcode.BatchForget, 0).U32(count).U32(0);
        for (var i = 0; i < Math.Min(count, 4); i++)
        {
            batch.U64(Node()).U64(Wild(4) ? ulong.MaxValue : 1);
        }

        return batch.Build();
    }

    /// <summary>A node the server would have given (root 1, then 2, 3, … per entry made); sometimes one it never did.</summary>
    private ulong Node() => Wild(12) ? (ulong)random.NextInt64() : (ulong)random.NextInt64(1, (long)nodes + 2);

    private ulong Directory() => Wild(3) ? Node() : 1;

    private ulong File() => Wild(12) ? (ulong)random.NextInt64() : (ulong)random.NextInt64(0, (long)files + 2);

    private byte[] Name()
    {
        var pick = random.Next(20);
        if (pick < 13)
        {
            return Encoding.UTF8.GetBytes(FuzzLayers.SeededNames[random.Next(FuzzLayers.SeededNames.Count)]);
        }

        if (pick < 17)
        {
            return Encoding.UTF8.GetBytes("n" + random.Next(6));
        }

        byte[][] hostile = [
            "."u8.ToArray(), ".."u8.ToArray(), [], "a/b"u8.ToArray(), "/"u8.ToArray(), [0xFF, 0xFE], [0xC0, 0x80],
            Encoding.ASCII.GetBytes(new string('n', 255)), Encoding.ASCII.GetBytes(new string('n', 256)), ".wh.f"u8.ToArray(),
        ];
        return hostile[random.Next(hostile.Length)];
    }

    private byte[] XattrName()
    {
        string[] names = ["user.x", "trusted.overlay.opaque", "trusted.overlay.redirect", "user.overlay.opaque", "security.capability", "system.posix_acl_access", "trusted.x", "user.", "", new string('u', 300)];
        return Encoding.UTF8.GetBytes(names[random.Next(names.Length)]);
    }

    private uint XattrSize() => random.Next(4) switch
    {
        0 => 0,
        1 => 1,
        2 => uint.MaxValue,
        _ => (uint)random.Next(2, 1 << 17),
    };

    private uint OpenFlags()
    {
        var flags = (uint)random.Next(3);
        int[] parts = [Syscalls.O_TRUNC, Syscalls.O_APPEND, Syscalls.O_NONBLOCK, Syscalls.O_DIRECTORY, Syscalls.O_EXCL, Syscalls.O_NOFOLLOW];
        if (Wild(2))
        {
            flags |= (uint)parts[random.Next(parts.Length)];
        }

        return Wild(10) ? flags | (1u << random.Next(32)) : flags;
    }

    private uint Mode() => Wild(6) ? (uint)random.Next() : (uint)random.Next(0, 0x1000);

    private uint NodeMode()
    {
        uint[] types = [FileStatus.Regular, FileStatus.Fifo, FileStatus.CharDevice, FileStatus.BlockDevice, FileStatus.Socket, 0];
        return types[random.Next(types.Length)] | (uint)random.Next(0, 0x1000);
    }

    private uint Owner() => random.Next(3) switch
    {
        0 => 0,
        1 => 1000,
        _ => uint.MaxValue,
    };

    /// <summary>One kernel message: the header, then arguments appended in order.</summary>
    private sealed class Message
    {
        private readonly List<byte> bytes = [];
        private readonly FuseRequestGenerator generator;

        public Message(FuseRequestGenerator generator, FuseOpcode opcode, ulong node)
        {
            this.generator = generator;
            U32(0).U32((uint)opcode).U64(++generator.unique).U64(node);
            U32(generator.Wild(5) ? 1000u : 0).U32(0).U32((uint)Environment.ProcessId).U32(0);
        }

        public Message U32(uint value)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(b, value);
            bytes.AddRange(b);
            return this;
        }

        public Message U64(ulong value)
        {
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(b, value);
            bytes.AddRange(b);
            return this;
        }

        /// <summary>A name and its NUL; sometimes without the NUL (the reader must refuse, not run past the end).</summary>
        public Message Name(byte[] name)
        {
            bytes.AddRange(name);
            if (!generator.Wild(25))
            {
                bytes.Add(0);
            }

            return this;
        }

        public Message Bytes(byte[] data)
        {
            bytes.AddRange(data);
            return this;
        }

        public Message Zeros(int count)
        {
            bytes.AddRange(new byte[count]);
            return this;
        }

        /// <summary>The message, its header's length filled in (sometimes a lie).</summary>
        public byte[] Build()
        {
            var message = bytes.ToArray();
            var length = generator.Wild(15) ? (uint)generator.random.Next(0, message.Length * 2 + 64) : (uint)message.Length;
            BinaryPrimitives.WriteUInt32LittleEndian(message, length);
            return message;
        }
    }
}
