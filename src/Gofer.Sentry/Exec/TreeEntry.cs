using System.Text.Json;
using Gofer.Native;
using FileAttributes = Gofer.Sentry.FileSystem.FileAttributes;

namespace Gofer.Sentry.Exec;

/// <summary>One entry of a <c>tree</c> answer: a described file, or the errno that stopped its description.</summary>
internal sealed class TreeEntry
{
    private readonly FileAttributes? attributes;
    private readonly IReadOnlyList<(string Name, byte[] Value)> xattrs = [];
    private readonly string? sha256;
    private readonly string? target;
    private readonly int errno;

    private TreeEntry(string path, FileAttributes attributes, IReadOnlyList<(string Name, byte[] Value)> xattrs, string? sha256, string? target)
    {
        Path = path;
        this.attributes = attributes;
        this.xattrs = xattrs;
        this.sha256 = sha256;
        this.target = target;
    }

    private TreeEntry(string path, int errno)
    {
        Path = path;
        this.errno = errno;
    }

    public string Path { get; }

    /// <param name="path">The path as the walk built it.</param>
    /// <param name="attributes">Its lstat.</param>
    /// <param name="xattrs">Its user.* xattrs, sorted by name.</param>
    /// <param name="sha256">Lowercase hex of the content, for a file.</param>
    /// <param name="target">The target, for a symlink.</param>
    public static TreeEntry Described(string path, FileAttributes attributes, IReadOnlyList<(string Name, byte[] Value)> xattrs, string? sha256, string? target) =>
        new(path, attributes, xattrs, sha256, target);

    public static TreeEntry Failed(string path, int errno) => new(path, errno);

    /// <summary>
    /// <c>{"path","type","mode","uid","gid","xattrs"}</c> and then <c>"size","sha256"</c> for a file or
    /// <c>"target"</c> for a symlink; <c>"xattrs"</c> is always there, <c>{}</c> when there are none.
    /// A failed entry is <c>{"path","error"}</c>.
    /// </summary>
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("path", Path);
        if (attributes is null)
        {
            json.WriteString("error", Errno.Name(errno));
            json.WriteEndObject();
            return;
        }

        json.WriteString("type", FileKindNames.Of(attributes.Kind));
        json.WriteNumber("mode", attributes.Mode);
        json.WriteNumber("uid", attributes.Uid);
        json.WriteNumber("gid", attributes.Gid);
        json.WriteStartObject("xattrs");
        foreach (var (name, value) in xattrs)
        {
            json.WriteBase64String(name, value);
        }

        json.WriteEndObject();
        if (sha256 is not null)
        {
            json.WriteNumber("size", attributes.Size);
            json.WriteString("sha256", sha256);
        }

        if (target is not null)
        {
            json.WriteString("target", target);
        }

        json.WriteEndObject();
    }
}
