using System.Runtime.InteropServices;

namespace Gofer.Native;

/// <summary>The process's resource limits (getrlimit/setrlimit), as far as the gofer needs them.</summary>
public static unsafe partial class Syscalls
{
    private const int RLIMIT_NOFILE = 7;

    /// <summary>RLIMIT_NOFILE: the soft limit (what open(2) enforces) and the hard one (how far the soft may be raised).</summary>
    public static (ulong Soft, ulong Hard) DescriptorLimit()
    {
        Rlimit limit;
        return LibcImports.getrlimit(RLIMIT_NOFILE, &limit) == 0
            ? (limit.Current, limit.Maximum)
            : throw new ErrnoException(Marshal.GetLastPInvokeError(), "getrlimit", "RLIMIT_NOFILE");
    }

    /// <summary>Sets RLIMIT_NOFILE's soft limit, keeping the hard one; 0 or -errno.</summary>
    public static int SetDescriptorSoftLimit(ulong soft)
    {
        var (_, hard) = DescriptorLimit();
        var limit = new Rlimit { Current = soft, Maximum = hard };
        return Result(LibcImports.setrlimit(RLIMIT_NOFILE, &limit));
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct Rlimit
    {
        public ulong Current;
        public ulong Maximum;
    }
}
