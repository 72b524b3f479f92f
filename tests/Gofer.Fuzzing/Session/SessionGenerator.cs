using System.Buffers;
using System.Text;
using Gofer.Fuzzing.Layers;
using Gofer.Fuzzing.Mutation;
using Gofer.Native;
using Gofer.Protocol.Framing;
using Gofer.Protocol.V1;
using Google.Protobuf;

namespace Gofer.Fuzzing.Session;

/// <summary>
/// Makes framed-session inputs from a seed: a session from the protocol's grammar (attach first,
/// then operations on the handles it would have been given, names the layers hold), with wild
/// values in some fields (hostile names, made-up handles, offsets and lengths at their limits,
/// flags outside the allowed set), and in some inputs blind byte damage on top. The same seed
/// always makes the same bytes.
/// </summary>
public sealed class SessionGenerator(int seed)
{
    private readonly Random random = new(seed);
    private ulong made;

    /// <summary>The next input: the bytes a client sends after the preface.</summary>
    public byte[] Next()
    {
        made = 0;
        var requests = new List<SessionRequest>();
        for (var count = random.Next(1, 33); count > 0; count--)
        {
            var request = requests.Count == 0 && random.Next(8) != 0 ? Attach() : Operation();
            request.Tag = Wild(8) ? (ulong)random.NextInt64() : (ulong)requests.Count + 1;
            requests.Add(request);
        }

        var writer = new ArrayBufferWriter<byte>();
        foreach (var request in requests)
        {
            SessionFraming.Write(writer, request);
        }

        var bytes = writer.WrittenSpan.ToArray();
        return random.Next(5) == 0 ? ByteMutator.Mutate(random, bytes) : bytes;
    }

    private bool Wild(int oneIn) => random.Next(oneIn) == 0;

    private SessionRequest Attach()
    {
        made++;
        uint[] layers = [FuzzLayers.UpperId, FuzzLayers.UpperId, FuzzLayers.BindId, FuzzLayers.Lower0Id, FuzzLayers.Lower1Id, FuzzLayers.WorkId, 0, 6, uint.MaxValue];
        return new SessionRequest { Attach = new AttachRequest { Layer = layers[random.Next(layers.Length)] } };
    }

    private SessionRequest Operation()
    {
        switch (random.Next(27))
        {
            case 0: return new SessionRequest { ListMounts = new ListMountsRequest() };
            case 1: return Attach();
            case 2 or 3 or 4: return Walk();
            case 5: return new SessionRequest { Stat = new StatRequest { Handle = Handle() } };
            case 6 or 7:
                made++;
                return new SessionRequest { Open = new OpenRequest { Handle = Handle(), Flags = OpenFlags() } };
            case 8:
                made++;
                return new SessionRequest { Create = Owned(new CreateRequest { Directory = Handle(), Name = Name(), Flags = OpenFlags() | (Wild(2) ? (uint)Syscalls.O_EXCL : 0), Mode = Mode() }) };
            case 9 or 10: return new SessionRequest { Read = new ReadRequest { Handle = Handle(), Offset = Offset(), Length = Length() } };
            case 11: return new SessionRequest { Write = new WriteRequest { Handle = Handle(), Offset = Offset(), Data = Data() } };
            case 12:
                made++;
                return new SessionRequest { Mkdir = Owned(new MkdirRequest { Directory = Handle(), Name = Name(), Mode = Mode() }) };
            case 13:
                made++;
                return new SessionRequest { Mknod = Owned(new MknodRequest { Directory = Handle(), Name = Name(), Mode = NodeMode(), Rdev = Wild(3) ? (ulong)random.NextInt64() : 0 }) };
            case 14:
                made++;
                return new SessionRequest { Symlink = Owned(new SymlinkRequest { Directory = Handle(), Name = Name(), Target = Target() }) };
            case 15:
                made++;
                return new SessionRequest { Link = new LinkRequest { Target = Handle(), Directory = Handle(), Name = Name() } };
            case 16: return new SessionRequest { Readlink = new ReadlinkRequest { Handle = Handle() } };
            case 17: return new SessionRequest { Unlink = new UnlinkRequest { Directory = Handle(), Name = Name(), RemoveDirectory = Wild(2) } };
            case 18: return new SessionRequest { Rename = new RenameRequest { OldDirectory = Handle(), OldName = Name(), NewDirectory = Handle(), NewName = Name(), Flags = Wild(4) ? (uint)random.Next() : (uint)random.Next(8) } };
            case 19: return new SessionRequest { SetAttr = SetAttr() };
            case 20: return new SessionRequest { GetXattr = new GetXattrRequest { Handle = Handle(), Name = XattrName() } };
            case 21: return new SessionRequest { SetXattr = new SetXattrRequest { Handle = Handle(), Name = XattrName(), Value = XattrValue(), Flags = (XattrFlag)(Wild(4) ? random.Next() : random.Next(3)) } };
            case 22: return new SessionRequest { ListXattr = new ListXattrRequest { Handle = Handle() } };
            case 23: return new SessionRequest { RemoveXattr = new RemoveXattrRequest { Handle = Handle(), Name = XattrName() } };
            case 24: return random.Next(2) == 0
                ? new SessionRequest { StatFs = new StatFsRequest { Handle = Handle() } }
                : new SessionRequest { Fsync = new FsyncRequest { Handle = Handle(), DataOnly = Wild(2) } };
            case 25:
                made++;
                return random.Next(2) == 0
                    ? new SessionRequest { CopyUp = new CopyUpRequest { Source = Handle(), Directory = Handle(), Name = Name() } }
                    : new SessionRequest { ReadDir = new ReadDirRequest { Handle = Handle(), WithStat = Wild(2), BatchSize = Wild(3) ? (uint)random.Next() : (uint)random.Next(4) } };
            default:
                var close = new CloseRequest();
                for (var n = random.Next(0, 4); n > 0; n--)
                {
                    close.Handles.Add(Handle());
                }

                return new SessionRequest { Close = close };
        }
    }

    private SessionRequest Walk()
    {
        var walk = new WalkRequest { Directory = Handle(), Handles = (WalkHandles)(Wild(10) ? random.Next() : random.Next(3)) };
        var count = Wild(30) ? random.Next(250, 260) : random.Next(0, 5);
        for (var i = 0; i < count; i++)
        {
            walk.Names.Add(Name());
        }

        string[] xattrs = ["trusted.overlay.opaque", "trusted.overlay.redirect", "user.overlay.opaque", "security.capability", "user.x"];
        for (var n = random.Next(0, 3); n > 0; n--)
        {
            walk.Xattrs.Add(Wild(4) ? XattrName() : xattrs[random.Next(xattrs.Length)]);
        }

        made += (ulong)Math.Max(1, count);
        return new SessionRequest { Walk = walk };
    }

    private SetAttrRequest SetAttr()
    {
        var set = new SetAttrRequest { Handle = Handle() };
        if (Wild(2))
        {
            set.Mode = Mode();
        }

        if (Wild(3))
        {
            set.Uid = Owner() ?? 0;
            set.Gid = Owner() ?? 0;
        }

        if (Wild(2))
        {
            set.Size = Wild(4) ? Offset() : random.Next(0, 1 << 16);
        }

        if (Wild(3))
        {
            set.Atime = Time();
            set.Mtime = Time();
        }

        return set;
    }

    private Timespec Time() => new() { Sec = Wild(4) ? random.NextInt64(long.MinValue, long.MaxValue) : random.Next(), Nsec = Wild(4) ? (uint)random.Next() : (uint)random.Next(1_000_000_000) };

    /// <summary>Mostly a handle this session holds (they are numbered from 1, in order made); sometimes one it never had.</summary>
    private ulong Handle()
    {
        if (Wild(12))
        {
            ulong[] strange = [0, ulong.MaxValue, 1UL << 63, made + 1000, uint.MaxValue + 1UL];
            return strange[random.Next(strange.Length)];
        }

        return (ulong)random.NextInt64(1, (long)made + 2);
    }

    private ByteString Name()
    {
        var pick = random.Next(20);
        if (pick < 13)
        {
            return ByteString.CopyFromUtf8(FuzzLayers.SeededNames[random.Next(FuzzLayers.SeededNames.Count)]);
        }

        if (pick < 17)
        {
            return ByteString.CopyFromUtf8("n" + random.Next(6));
        }

        byte[][] hostile = [
            "."u8.ToArray(), ".."u8.ToArray(), [], "a/b"u8.ToArray(), "/"u8.ToArray(), "x\0y"u8.ToArray(),
            Encoding.ASCII.GetBytes(new string('n', 255)), Encoding.ASCII.GetBytes(new string('n', 256)),
            [0xFF, 0xFE], "\n\""u8.ToArray(), "..."u8.ToArray(), ".wh.f"u8.ToArray(), ".wh..wh..opq"u8.ToArray(),
        ];
        return ByteString.CopyFrom(hostile[random.Next(hostile.Length)]);
    }

    private ByteString Target()
    {
        string[] targets = ["f", "/", "../../..", "d/g", "/proc/self/root", ""];
        return Wild(8) ? ByteString.CopyFrom(new byte[random.Next(4090, 4100)]) : ByteString.CopyFromUtf8(targets[random.Next(targets.Length)]);
    }

    private uint OpenFlags()
    {
        int[] parts = [Syscalls.O_TRUNC, Syscalls.O_APPEND, Syscalls.O_NONBLOCK, Syscalls.O_DIRECTORY, Syscalls.O_NOATIME, Syscalls.O_SYNC, Syscalls.O_DSYNC, Syscalls.O_DIRECT];
        var flags = (uint)random.Next(3);
        for (var n = random.Next(0, 3); n > 0; n--)
        {
            flags |= (uint)parts[random.Next(parts.Length)];
        }

        return Wild(10) ? flags | (1u << random.Next(32)) : flags;
    }

    private uint Mode() => Wild(6) ? (uint)random.Next() : (uint)random.Next(0, 0x1000);

    private uint NodeMode()
    {
        uint[] types = [FileStatus.Regular, FileStatus.Fifo, FileStatus.CharDevice, FileStatus.BlockDevice, FileStatus.Socket, FileStatus.Directory, 0];
        return types[random.Next(types.Length)] | (uint)random.Next(0, 0x1000);
    }

    /// <summary>Sets the optional uid and gid of a request that makes a file, or leaves them absent.</summary>
    private T Owned<T>(T request)
        where T : IMessage
    {
        foreach (var field in new[] { "uid", "gid" })
        {
            if (Owner() is { } id)
            {
                request.Descriptor.FindFieldByName(field).Accessor.SetValue(request, id);
            }
        }

        return request;
    }

    private uint? Owner() => random.Next(4) switch
    {
        0 => 0,
        1 => 1000,
        2 when Wild(3) => uint.MaxValue,
        _ => null,
    };

    private long Offset() => random.Next(10) switch
    {
        0 => -1,
        1 => long.MaxValue,
        2 => 1L << 40,
        3 => (5 << 20) - 1,
        _ => random.Next(0, 1 << 16),
    };

    private long Length() => random.Next(12) switch
    {
        0 => 0,
        1 => -1,
        2 => FuzzLimits.MaxTransfer,
        3 => FuzzLimits.MaxTransfer + 1,
        4 => long.MaxValue,
        _ => random.Next(1, 1 << 16),
    };

    private ByteString Data() => ByteString.CopyFrom(new byte[Wild(60) ? FuzzLimits.MaxTransfer + random.Next(-1, 2) : random.Next(0, 4096)]);

    private string XattrName()
    {
        string[] names = [
            "user.x", "user.y", "trusted.overlay.opaque", "trusted.overlay.redirect", "trusted.overlay.origin",
            "trusted.overlay.metacopy", "trusted.overlay.upper", "trusted.overlay.overlay.k", "user.overlay.opaque",
            "security.capability", "system.posix_acl_access", "trusted.x", "user.", "", "user.\u00e9", new string('u', 256),
        ];
        return names[random.Next(names.Length)];
    }

    private ByteString XattrValue() => random.Next(8) switch
    {
        0 => ByteString.CopyFrom(new byte[(64 << 10) + random.Next(0, 2)]),
        1 => ByteString.Empty,
        2 => ByteString.CopyFromUtf8("y"),
        _ => ByteString.CopyFromUtf8("/d"),
    };
}

/// <summary>The protocol's limits the generators aim at (one side of each boundary and the other).</summary>
public static class FuzzLimits
{
    public const int MaxTransfer = Server.Service.FileOperations.MaxTransfer;
}
