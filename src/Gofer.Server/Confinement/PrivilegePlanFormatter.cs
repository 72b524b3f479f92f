using System.Text;
using Gofer.Server.Spec;

namespace Gofer.Server.Confinement;

/// <summary>
/// Renders, for <c>gofer check</c>, what privilege the serving gofer of a plan will hold: its
/// capabilities with why, the process state that fixes them, its namespaces, and everything in
/// its root besides the layers.
/// </summary>
/// <example>
/// <code>
/// privileges of the serving gofer (every thread):
///   capability CAP_CHOWN: files and directories are made with the owner the client asks (…)
///   securebits: noroot no_setuid_fixup no_cap_ambient_raise keep_caps=off, all locked; no_new_privs
///   namespaces: new mount ipc net; the runtime's pid and user
///   root: read-only tmpfs; each layer at its staging path; /proc/self/fd = the gofer's own fd table
///   start file /usr/lib/x86_64-linux-gnu/libc.so.6 ro nosuid nodev
///   socket: removed by a keeper process (it alone holds the socket's directory)
/// </code>
/// </example>
public static class PrivilegePlanFormatter
{
    public static string Format(MountPlan plan, StartFiles startFiles)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(startFiles);
        var text = new StringBuilder();
        void Line(string line) => text.Append(line).Append('\n');

        Line("privileges of the serving gofer (every thread):");
        foreach (var grant in ServingCapabilities.For(plan))
        {
            Line($"  capability {grant.Name}: {grant.Why}");
        }

        Line("  capabilities: effective = permitted = inheritable = ambient = bounding = the above; no others (no CAP_DAC_READ_SEARCH, CAP_SETUID/SETGID, CAP_SETPCAP, CAP_MKNOD, …)");
        Line("  securebits: noroot no_setuid_fixup no_cap_ambient_raise keep_caps=off, all locked; no_new_privs");
        foreach (var line in SyscallFilter.Describe())
        {
            Line($"  {line}");
        }

        Line("  namespaces: new mount ipc net; the runtime's pid (the gofer keeps the pid it was started as) and user");
        Line("  root: read-only tmpfs; each layer at its staging path; /proc/self/fd = the gofer's own fd table, nothing else of /proc");
        foreach (var file in startFiles.Files)
        {
            Line(file.Device
                ? $"  start file {file.Target} ro nosuid noexec (the runtime's random bytes)"
                : $"  start file {file.Target} ro nosuid nodev (for the exec into the confined image)");
        }

        Line("  socket: --socket's file is removed at exit by a keeper process that alone holds its directory; --listen-fd's is the runtime's");
        return text.ToString();
    }
}
