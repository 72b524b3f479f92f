using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Tmds.Linux;

namespace Gofer.Native;

/// <summary>
/// realpath(3): the canonical absolute path of an existing file, with every symlink, <c>.</c> and
/// <c>..</c> resolved the way the kernel resolves them.
/// </summary>
/// <remarks>
/// Lexical normalisation is not enough for containment checks: <c>/a/link/..</c> is the parent of
/// the link's <em>target</em>, not <c>/a</c>. Only the resolved path says where a directory really is.
/// </remarks>
public static partial class RealPath
{
    // PATH_MAX on Linux. realpath(3) never writes more than this (NUL included) into a caller's buffer.
    private const int PathMax = 4096;

    /// <summary>Resolves <paramref name="path"/>; every component must exist.</summary>
    /// <param name="path">The path to resolve; relative paths are taken from the current directory.</param>
    /// <param name="resolved">The canonical path when the call succeeds.</param>
    /// <param name="errno">The errno of the failure (ENOENT, ENOTDIR, ELOOP, EACCES, …), or 0.</param>
    /// <returns>Whether the path could be resolved.</returns>
    public static unsafe bool TryResolve(string path, [NotNullWhen(true)] out string? resolved, out int errno)
    {
        ArgumentNullException.ThrowIfNull(path);
        resolved = null;

        // A NUL would end the C string early and silently resolve a different, shorter path.
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            errno = LibC.EINVAL;
            return false;
        }

        // A caller-provided buffer instead of realpath(path, NULL): nothing is malloc'ed, so nothing
        // has to be handed back to glibc's free().
        var buffer = stackalloc byte[PathMax];
        if (Resolve(path, buffer) is null)
        {
            errno = Marshal.GetLastPInvokeError();
            return false;
        }

        resolved = Marshal.PtrToStringUTF8((nint)buffer)!;
        errno = 0;
        return true;
    }

    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial byte* Resolve(string path, byte* resolvedPath);
}
