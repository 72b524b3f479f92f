using System.Collections;
using Gofer.Native;

namespace Gofer.Server.Confinement;

/// <summary>
/// The staging image's last act: exec the serving image from inside the staging root, with only
/// the descriptors of the handoff and the capabilities it keeps. Everything that needed
/// privilege (the bundle, the socket, every mount, the pivot, the keeper) is done by then.
/// </summary>
public static class ServingImage
{
    /// <summary>Returns only by throwing.</summary>
    /// <param name="binary">The gofer binary, as bound in the staging root.</param>
    /// <param name="serveArguments">The command line gofer serve was started with (without the binary).</param>
    public static void Exec(string binary, IReadOnlyList<string> serveArguments, ImageHandoff handoff, IReadOnlyCollection<CapabilityGrant> keep)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        using var memory = handoff.WriteToMemoryFile();

        // Whatever this image opened or inherited stays behind, but for what is handed on by name.
        ErrnoException.ThrowIfError(Syscalls.CloseOnExecFrom(3), "close_range(CLOEXEC)");
        foreach (var fd in handoff.Inherited.Append(memory.Fd))
        {
            ErrnoException.ThrowIfError(Syscalls.Inherit(fd), "fcntl(F_SETFD)", $"descriptor {fd}");
        }

        // Last, and on this thread: the exec below is what carries the confinement to every
        // thread of the next image (see ExecPrivileges).
        ExecPrivileges.Confine(keep);
        var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().Select(e => $"{e.Key}={e.Value}").ToList();
        ErrnoException.ThrowIfError(Syscalls.Execve(binary, [binary, .. ImageHandoff.Arguments(serveArguments, memory)], environment), "execve", binary);
    }
}
