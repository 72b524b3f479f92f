using System.Security.Cryptography;
using System.Text.Json;
using Gofer.Native;

namespace Gofer.MountHelper;

/// <summary>
/// A throw-away OCI bundle holding one overlay mount, so that `gofer mount` runs the very same
/// gofer a runtime would: same spec checks, same staging and confinement. It lives in a private
/// directory (0700, root's) that also holds the gofer's socket, and is removed with it.
/// </summary>
public sealed class OneMountBundle : IDisposable
{
    /// <summary>Where the overlay is mounted in the bundle's spec; the sentry opens it by this name.</summary>
    public const string Destination = "/overlay";

    private OneMountBundle(string path) => Path = path;

    public string Path { get; }

    public string SocketPath => System.IO.Path.Combine(Path, "gofer.sock");

    public static OneMountBundle Create(string source, string overlayOptions)
    {
        // /run is root's own tmpfs: nothing of it outlives a reboot, no other user can create a
        // name there first, and the random name keeps concurrent mounts apart.
        var path = System.IO.Path.Combine("/run", "gofer-mount." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        if (Directory.Exists(path))
        {
            throw new ErrnoException(Errno.EEXIST, "mkdir", path);
        }

        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
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
}
