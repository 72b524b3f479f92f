using System.Globalization;
using System.Text.Json;
using Gofer.Native;

namespace Gofer.MountHelper;

/// <summary>
/// A throw-away OCI bundle holding one overlay mount, so that `gofer mount` runs the very same
/// gofer a runtime would: same spec checks, same staging and confinement. It lives in a private
/// directory (0700) of the runtime directory that also holds the gofer's socket, and is removed as
/// soon as the gofer serves and is connected to (nothing needs it after that), or at the latest
/// by the next `gofer mount` once its owner is gone.
/// </summary>
public sealed class OneMountBundle : IDisposable
{
    /// <summary>Where the overlay is mounted in the bundle's spec; the sentry opens it by this name.</summary>
    public const string Destination = "/overlay";

    private const string Prefix = "gofer-mount.";
    private const uint OwnerOnly = 0x1C0; // 0700

    private OneMountBundle(string path) => Path = path;

    public string Path { get; }

    public string SocketPath => System.IO.Path.Combine(Path, "gofer.sock");

    /// <summary>
    /// Writes the bundle in a new directory of <paramref name="runtimeDirectory"/> named
    /// <c>gofer-mount.PIDNS.PID.RANDOM</c>: the owner's pid (and pid namespace) let a later start
    /// tell a crashed mount's leftover from a live one's; the random part keeps mounts apart.
    /// </summary>
    public static OneMountBundle Create(string runtimeDirectory, string source, string overlayOptions)
    {
        var name = $"{Prefix}{OwnPidNamespace()}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.{Random.Shared.NextInt64():x16}";
        var path = System.IO.Path.Combine(runtimeDirectory, name);

        // The random part need not be secret (only this user can create names here), so it does not
        // depend on the kernel's random device, which a minimal /dev may lack. mkdir, not
        // "create if missing": an existing name is never taken over.
        ErrnoException.ThrowIfError(Syscalls.Mkdir(path, OwnerOnly), "mkdir", path);
        var bundle = new OneMountBundle(path);
        try
        {
            Directory.CreateDirectory(System.IO.Path.Combine(path, "rootfs"));
            using var stream = File.Create(System.IO.Path.Combine(path, "config.json"));
            using var json = new Utf8JsonWriter(stream);
            json.WriteStartObject();
            json.WriteString("ociVersion", "1.0.2");
            json.WriteStartObject("root");
            json.WriteString("path", "rootfs");
            json.WriteBoolean("readonly", true);
            json.WriteEndObject();
            json.WriteStartArray("mounts");
            json.WriteStartObject();
            json.WriteString("destination", Destination);
            json.WriteString("type", "overlay");
            json.WriteString("source", source);
            json.WriteStartArray("options");
            json.WriteStringValue(overlayOptions);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            return bundle;
        }
        catch
        {
            bundle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Removes the bundles in <paramref name="runtimeDirectory"/> left by a `gofer mount` that died
    /// before it could remove its own (killed between writing it and connecting to its gofer). Only
    /// directories of ours, named with our pid namespace and a pid that no longer exists: never a
    /// live mount's, nor one whose owner cannot be told (another namespace, another user).
    /// </summary>
    public static void RemoveStale(string runtimeDirectory)
    {
        var pidNamespace = OwnPidNamespace();
        foreach (var path in Directory.EnumerateDirectories(runtimeDirectory, Prefix + "*"))
        {
            var parts = System.IO.Path.GetFileName(path)[Prefix.Length..].Split('.');
            if (parts.Length != 3 || parts[0] != pidNamespace || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || Syscalls.ProcessExists(pid))
            {
                continue;
            }

            if (Syscalls.StatPath(path, followSymlink: false, out var status) < 0 || !status.IsDirectory || status.Uid != Syscalls.EffectiveUserId())
            {
                continue;
            }

            try
            {
                new OneMountBundle(path).Dispose();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Sweeping is a courtesy: a leftover that cannot go now does not stop this mount.
            }
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>The inode number of this process's pid namespace: pids mean something only within one.</summary>
    private static string OwnPidNamespace()
    {
        // "pid:[4026531836]"
        var link = new FileInfo("/proc/self/ns/pid").LinkTarget ?? "";
        return new string([.. link.Where(char.IsAsciiDigit)]);
    }
}
