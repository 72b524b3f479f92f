using System.Net.Sockets;
using Gofer.Native;
using Gofer.Protocol.Framing;

namespace Gofer.Cli;

/// <summary>
/// A failure as the one line a user sees — which command, what it was doing, and why, with the
/// errno's name — never a stack trace. Commands catch the failures they expect where they happen
/// and name the step; Program's last-resort net uses the same wording for anything else.
/// </summary>
public static class FailureMessage
{
    /// <summary>Failures that come from the system or a peer (a call refused, a file missing, a gofer gone), not from a bug.</summary>
    public static bool IsExpected(Exception e) =>
        e is ErrnoException or IOException or SocketException or UnauthorizedAccessException or FramingException;

    /// <summary>Writes <c>gofer COMMAND: STEP: WHY</c> on stderr, as one line.</summary>
    public static void Write(string command, string step, Exception e) =>
        Console.Error.WriteLine(OneLine($"gofer {command}: {step}: {Why(e)}"));

    /// <summary>Writes <c>gofer COMMAND: TEXT</c> on stderr, as one line.</summary>
    public static void Write(string command, string text) => Console.Error.WriteLine(OneLine($"gofer {command}: {text}"));

    /// <summary>Why it failed: the errno's name and text where there is one, else the exception's message.</summary>
    public static string Why(Exception e) => e switch
    {
        ErrnoException errno => errno.Message,
        SocketException socket => Errno.Describe(socket.NativeErrorCode),
        FileNotFoundException or DirectoryNotFoundException => Errno.Describe(Errno.ENOENT),
        PathTooLongException => Errno.Describe(Errno.ENAMETOOLONG),

        // .NET carries the raw errno as the HResult of the IOException it makes for a failed call
        // (inside an UnauthorizedAccessException for EACCES and EPERM). Its own message is a
        // resource key in this build, so the errno is what says why.
        UnauthorizedAccessException { InnerException: IOException inner } when IsErrno(inner.HResult) => Errno.Describe(inner.HResult),
        UnauthorizedAccessException => Errno.Describe(Errno.EACCES),
        IOException io when IsErrno(io.HResult) => Errno.Describe(io.HResult),
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private static bool IsErrno(int value) => value is > 0 and < 4096;

    private static string OneLine(string text) => string.Join("; ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
