using System.Runtime.InteropServices;
using System.Text;

namespace Gofer.Native;

/// <summary>
/// Extended attributes of the file a descriptor refers to, for safe callers: names are bytes
/// without their NUL (a NUL inside is EINVAL), values and lists are spans the kernel never
/// writes past. Results are sizes or 0, or a negated errno, as in <see cref="Syscalls"/>.
/// </summary>
/// <remarks>
/// The f*xattr calls refuse O_PATH descriptors, which is what the gofer holds, so the path calls
/// are made on the descriptor's magic link (<see cref="MagicLink"/>): it lands on the file itself,
/// a symlink included, and never resolves a name.
/// </remarks>
public static unsafe partial class Xattrs
{
    /// <summary>getxattr(2): the value's size (with an empty <paramref name="value"/>, the size it needs), or a negated errno (ENODATA when unset, ERANGE when too small).</summary>
    public static long Get(FileDescriptor file, ReadOnlySpan<byte> name, Span<byte> value)
    {
        using var n = new DescriptorWithName(file, name, stackalloc byte[CString.StackSize]);
        var link = new MagicLink(n.Number, stackalloc byte[MagicLink.Size]);
        fixed (byte* p = link)
        fixed (byte* np = n)
        fixed (byte* v = value)
        {
            return n.Refused < 0 ? n.Refused : Result((long)LibcImports.getxattr(p, np, v, (nuint)value.Length));
        }
    }

    /// <summary>setxattr(2) with XATTR_CREATE, XATTR_REPLACE or 0 in <paramref name="flags"/>.</summary>
    public static int Set(FileDescriptor file, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int flags)
    {
        using var n = new DescriptorWithName(file, name, stackalloc byte[CString.StackSize]);
        var link = new MagicLink(n.Number, stackalloc byte[MagicLink.Size]);
        fixed (byte* p = link)
        fixed (byte* np = n)
        fixed (byte* v = value)
        {
            return n.Refused < 0 ? n.Refused : (int)Result(LibcImports.setxattr(p, np, v, (nuint)value.Length, flags));
        }
    }

    /// <summary>listxattr(2): the NUL-separated names' total size (with an empty <paramref name="names"/>, the size needed), or a negated errno.</summary>
    public static long List(FileDescriptor file, Span<byte> names)
    {
        using var d = new DescriptorUse(file);
        var link = new MagicLink(d.Number, stackalloc byte[MagicLink.Size]);
        fixed (byte* p = link)
        fixed (byte* b = names)
        {
            return d.IsClosed ? -Errno.EBADF : Result((long)LibcImports.listxattr(p, b, (nuint)names.Length));
        }
    }

    /// <summary>removexattr(2).</summary>
    public static int Remove(FileDescriptor file, ReadOnlySpan<byte> name)
    {
        using var n = new DescriptorWithName(file, name, stackalloc byte[CString.StackSize]);
        var link = new MagicLink(n.Number, stackalloc byte[MagicLink.Size]);
        fixed (byte* p = link)
        fixed (byte* np = n)
        {
            return n.Refused < 0 ? n.Refused : (int)Result(LibcImports.removexattr(p, np));
        }
    }

    private static long Result(long r) => r < 0 ? -Marshal.GetLastPInvokeError() : r;
}

/// <summary>The xattr calls on a whole path, for the gofer's tools and tests (never for a client's name).</summary>
public static unsafe partial class Xattrs
{
    /// <summary>getxattr(2) of <paramref name="path"/>, following a final symlink.</summary>
    public static long Get(string path, ReadOnlySpan<byte> name, Span<byte> value)
    {
        var p = new CString(Encoding.UTF8.GetBytes(path), default);
        var n = new CString(name, stackalloc byte[CString.StackSize]);
        fixed (byte* pp = p)
        fixed (byte* np = n)
        fixed (byte* v = value)
        {
            return p.IsValid && n.IsValid ? Result((long)LibcImports.getxattr(pp, np, v, (nuint)value.Length)) : -Errno.EINVAL;
        }
    }

    /// <summary>setxattr(2) of <paramref name="path"/>, following a final symlink.</summary>
    public static int Set(string path, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, int flags)
    {
        var p = new CString(Encoding.UTF8.GetBytes(path), default);
        var n = new CString(name, stackalloc byte[CString.StackSize]);
        fixed (byte* pp = p)
        fixed (byte* np = n)
        fixed (byte* v = value)
        {
            return p.IsValid && n.IsValid ? (int)Result(LibcImports.setxattr(pp, np, v, (nuint)value.Length, flags)) : -Errno.EINVAL;
        }
    }

    /// <summary>listxattr(2) of <paramref name="path"/>, following a final symlink.</summary>
    public static long List(string path, Span<byte> names)
    {
        var p = new CString(Encoding.UTF8.GetBytes(path), default);
        fixed (byte* pp = p)
        fixed (byte* b = names)
        {
            return p.IsValid ? Result((long)LibcImports.listxattr(pp, b, (nuint)names.Length)) : -Errno.EINVAL;
        }
    }

    /// <summary>removexattr(2) of <paramref name="path"/>, following a final symlink.</summary>
    public static int Remove(string path, ReadOnlySpan<byte> name)
    {
        var p = new CString(Encoding.UTF8.GetBytes(path), default);
        var n = new CString(name, stackalloc byte[CString.StackSize]);
        fixed (byte* pp = p)
        fixed (byte* np = n)
        {
            return p.IsValid && n.IsValid ? (int)Result(LibcImports.removexattr(pp, np)) : -Errno.EINVAL;
        }
    }
}
