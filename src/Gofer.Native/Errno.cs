namespace Gofer.Native;

/// <summary>Linux errno values (x86-64 and arm64 share them) and their symbolic names.</summary>
public static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int ENXIO = 6;
    public const int E2BIG = 7;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int ENOMEM = 12;
    public const int EACCES = 13;
    public const int EFAULT = 14;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int EXDEV = 18;
    public const int ENODEV = 19;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int ENFILE = 23;
    public const int EMFILE = 24;
    public const int ETXTBSY = 26;
    public const int EFBIG = 27;
    public const int ENOSPC = 28;
    public const int ESPIPE = 29;
    public const int EROFS = 30;
    public const int EMLINK = 31;
    public const int EPIPE = 32;
    public const int ERANGE = 34;
    public const int ENAMETOOLONG = 36;
    public const int ENOSYS = 38;
    public const int ENOTEMPTY = 39;
    public const int ELOOP = 40;
    public const int ENODATA = 61;
    public const int EOVERFLOW = 75;
    public const int EOPNOTSUPP = 95;
    public const int ENOTSOCK = 88;
    public const int EADDRINUSE = 98;
    public const int ECONNRESET = 104;
    public const int ENOTCONN = 107;
    public const int ECONNREFUSED = 111;
    public const int EDQUOT = 122;

    private static readonly Dictionary<int, (string Name, string Text)> Table = new()
    {
        [EPERM] = ("EPERM", "Operation not permitted"),
        [ENOENT] = ("ENOENT", "No such file or directory"),
        [ESRCH] = ("ESRCH", "No such process"),
        [EINTR] = ("EINTR", "Interrupted system call"),
        [EIO] = ("EIO", "Input/output error"),
        [ENXIO] = ("ENXIO", "No such device or address"),
        [E2BIG] = ("E2BIG", "Argument list too long"),
        [EBADF] = ("EBADF", "Bad file descriptor"),
        [EAGAIN] = ("EAGAIN", "Resource temporarily unavailable"),
        [ENOMEM] = ("ENOMEM", "Cannot allocate memory"),
        [EACCES] = ("EACCES", "Permission denied"),
        [EFAULT] = ("EFAULT", "Bad address"),
        [EBUSY] = ("EBUSY", "Device or resource busy"),
        [EEXIST] = ("EEXIST", "File exists"),
        [EXDEV] = ("EXDEV", "Invalid cross-device link"),
        [ENODEV] = ("ENODEV", "No such device"),
        [ENOTDIR] = ("ENOTDIR", "Not a directory"),
        [EISDIR] = ("EISDIR", "Is a directory"),
        [EINVAL] = ("EINVAL", "Invalid argument"),
        [ENFILE] = ("ENFILE", "Too many open files in system"),
        [EMFILE] = ("EMFILE", "Too many open files"),
        [ETXTBSY] = ("ETXTBSY", "Text file busy"),
        [EFBIG] = ("EFBIG", "File too large"),
        [ENOSPC] = ("ENOSPC", "No space left on device"),
        [ESPIPE] = ("ESPIPE", "Illegal seek"),
        [EROFS] = ("EROFS", "Read-only file system"),
        [EMLINK] = ("EMLINK", "Too many links"),
        [EPIPE] = ("EPIPE", "Broken pipe"),
        [ERANGE] = ("ERANGE", "Numerical result out of range"),
        [ENAMETOOLONG] = ("ENAMETOOLONG", "File name too long"),
        [ENOSYS] = ("ENOSYS", "Function not implemented"),
        [ENOTEMPTY] = ("ENOTEMPTY", "Directory not empty"),
        [ELOOP] = ("ELOOP", "Too many levels of symbolic links"),
        [ENODATA] = ("ENODATA", "No data available"),
        [EOVERFLOW] = ("EOVERFLOW", "Value too large for defined data type"),
        [EOPNOTSUPP] = ("EOPNOTSUPP", "Operation not supported"),
        [ENOTSOCK] = ("ENOTSOCK", "Socket operation on non-socket"),
        [EADDRINUSE] = ("EADDRINUSE", "Address already in use"),
        [ECONNRESET] = ("ECONNRESET", "Connection reset by peer"),
        [ENOTCONN] = ("ENOTCONN", "Transport endpoint is not connected"),
        [ECONNREFUSED] = ("ECONNREFUSED", "Connection refused"),
        [EDQUOT] = ("EDQUOT", "Disk quota exceeded"),
    };

    /// <summary>The symbolic name (<c>ENOENT</c>), or <c>E&lt;n&gt;</c> for one not in the table.</summary>
    /// <summary>
    /// A failure for want of a resource (descriptors, memory), which says nothing about the file
    /// asked for: it must reach the caller as itself — never read as absence, never remembered.
    /// </summary>
    public static bool IsResourceFailure(int errno) => errno is EMFILE or ENFILE or ENOMEM;

    public static string Name(int errno) => Table.TryGetValue(errno, out var e) ? e.Name : $"E{errno}";

    /// <summary><c>ENOENT (No such file or directory)</c>.</summary>
    public static string Describe(int errno) =>
        Table.TryGetValue(errno, out var e) ? $"{e.Name} ({e.Text})" : $"E{errno} (errno {errno})";
}
