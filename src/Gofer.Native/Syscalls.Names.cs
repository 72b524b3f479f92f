namespace Gofer.Native;

/// <summary>
/// The *at calls on one name in a directory descriptor, for safe callers: the directory is a
/// <see cref="FileDescriptor"/> (held for the call, see <see cref="DescriptorUse"/>) and the name a
/// span of bytes without its NUL, which is added here (a NUL inside it is EINVAL, see <see cref="CString"/>).
/// Results follow the rest of <see cref="Syscalls"/>: a value, or a negated errno.
/// </summary>
public static unsafe partial class Syscalls
{
    /// <summary>openat(2) of <paramref name="name"/> in <paramref name="dir"/> (O_CLOEXEC added); null and the errno on failure.</summary>
    public static FileDescriptor? OpenAt(FileDescriptor dir, ReadOnlySpan<byte> name, int flags, uint mode, out int error)
    {
        using var at = new DescriptorWithName(dir, name, stackalloc byte[CString.StackSize]);
        error = -at.Refused;
        if (error != 0)
        {
            return null;
        }

        fixed (byte* p = at)
        {
            return OpenAt(at.Number, p, flags, mode, out error);
        }
    }

    /// <summary>openat2(2) of a path from <paramref name="dir"/> within <paramref name="resolve"/>'s rules: a descriptor number the caller owns, or a negated errno.</summary>
    public static int OpenAt2(FileDescriptor dir, ReadOnlySpan<byte> path, int flags, uint mode, ulong resolve)
    {
        using var at = new DescriptorWithName(dir, path, stackalloc byte[CString.StackSize]);
        fixed (byte* p = at)
        {
            return at.Refused < 0 ? at.Refused : OpenAt2(at.Number, p, flags, mode, resolve);
        }
    }

    /// <summary>statx(2) of <paramref name="name"/> in <paramref name="dir"/>.</summary>
    public static int Stat(FileDescriptor dir, ReadOnlySpan<byte> name, int flags, out FileStatus status)
    {
        using var at = new DescriptorWithName(dir, name, stackalloc byte[CString.StackSize]);
        status = default;
        fixed (byte* p = at)
        {
            return at.Refused < 0 ? at.Refused : Stat(at.Number, p, flags, out status);
        }
    }

    public static int MkdirAt(FileDescriptor dir, ReadOnlySpan<byte> name, uint mode)
    {
        using var at = new DescriptorWithName(dir, name, stackalloc byte[CString.StackSize]);
        fixed (byte* p = at)
        {
            return at.Refused < 0 ? at.Refused : MkdirAt(at.Number, p, mode);
        }
    }

    public static int MknodAt(FileDescriptor dir, ReadOnlySpan<byte> name, uint mode, ulong device)
    {
        using var at = new DescriptorWithName(dir, name, stackalloc byte[CString.StackSize]);
        fixed (byte* p = at)
        {
            return at.Refused < 0 ? at.Refused : MknodAt(at.Number, p, mode, device);
        }
    }

    /// <summary>symlinkat(2): a symlink <paramref name="name"/> in <paramref name="dir"/> holding <paramref name="target"/> as given (never resolved here).</summary>
    public static int SymlinkAt(ReadOnlySpan<byte> target, FileDescriptor dir, ReadOnlySpan<byte> name)
    {
        using var at = new DescriptorWithName(dir, name, stackalloc byte[CString.StackSize]);
        var t = new CString(target, stackalloc byte[CString.StackSize]);
        fixed (byte* p = at)
        fixed (byte* tp = t)
        {
            return at.Refused < 0 ? at.Refused : t.IsValid ? SymlinkAt(tp, at.Number, p) : -Errno.EINVAL;
        }
    }

    public static int UnlinkAt(FileDescriptor dir, ReadOnlySpan<byte> name, int flags)
    {
        using var at = new DescriptorWithName(dir, name, stackalloc byte[CString.StackSize]);
        fixed (byte* p = at)
        {
            return at.Refused < 0 ? at.Refused : UnlinkAt(at.Number, p, flags);
        }
    }

    public static int RenameAt2(FileDescriptor oldDir, ReadOnlySpan<byte> oldName, FileDescriptor newDir, ReadOnlySpan<byte> newName, uint flags)
    {
        using var from = new DescriptorWithName(oldDir, oldName, stackalloc byte[CString.StackSize]);
        using var to = new DescriptorWithName(newDir, newName, stackalloc byte[CString.StackSize]);
        fixed (byte* o = from)
        fixed (byte* n = to)
        {
            var refused = Math.Min(from.Refused, to.Refused);
            return refused < 0 ? refused : RenameAt2(from.Number, o, to.Number, n, flags);
        }
    }
}
