namespace Gofer.Native;

/// <summary>A system call failed: carries the exact errno, the operation and the name it concerned.</summary>
public sealed class ErrnoException : Exception
{
    public ErrnoException(int errno, string operation, string? name = null)
        : base(Format(errno, operation, name))
    {
        Errno = errno;
        Operation = operation;
        SubjectName = name;
    }

    public ErrnoException()
        : this(Native.Errno.EIO, "unknown")
    {
    }

    public ErrnoException(string message)
        : base(message)
    {
        Errno = Native.Errno.EIO;
        Operation = "unknown";
    }

    public ErrnoException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errno = Native.Errno.EIO;
        Operation = "unknown";
    }

    /// <summary>The Linux errno.</summary>
    public int Errno { get; }

    /// <summary>The operation that failed (<c>mkdir</c>, <c>walk</c>, …).</summary>
    public string Operation { get; }

    /// <summary>The name or path it concerned, if any.</summary>
    public string? SubjectName { get; }

    /// <summary>Throws for a negative result (a negated errno); returns a non-negative one.</summary>
    public static int ThrowIfError(int result, string operation, string? name = null) =>
        result < 0 ? throw new ErrnoException(-result, operation, name) : result;

    /// <summary>As <see cref="ThrowIfError(int, string, string?)"/> for 64-bit results.</summary>
    public static long ThrowIfError(long result, string operation, string? name = null) =>
        result < 0 ? throw new ErrnoException((int)-result, operation, name) : result;

    private static string Format(int errno, string operation, string? name) =>
        name is null ? $"{operation}: {Native.Errno.Describe(errno)}" : $"{operation} \"{name}\": {Native.Errno.Describe(errno)}";
}
