using System.Globalization;
using System.Text.Json;

namespace Gofer.Sentry.Tests.Crash;

/// <summary>
/// What a `tree` answer says about one path, as compared between views and against a script's
/// expectations: type, mode, owner, user.* xattrs, and size and sha256 for a file. A path that
/// could not be described carries only its <see cref="Error"/>.
/// </summary>
public sealed record TreeNode(string Type, long Mode, long Uid, long Gid, string Xattrs, long? Size = null, string? Sha256 = null, string? Target = null, string? Error = null)
{
    public static TreeNode Directory(int mode, int uid, int gid, string xattrs = "") => new("dir", mode, uid, gid, xattrs);

    public static TreeNode File(int mode, int uid, int gid, string xattrs, long size, string sha256) => new("file", mode, uid, gid, xattrs, size, sha256);

    /// <summary>One xattr in the form <see cref="Xattrs"/> lists them: <c>name=base64</c>.</summary>
    public static string Xattr(string name, string value) => $"{name}={Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value))}";

    /// <summary>An entry of a `tree` answer.</summary>
    public static TreeNode FromJson(JsonElement entry)
    {
        if (entry.TryGetProperty("error", out var error))
        {
            return new TreeNode("?", 0, 0, 0, string.Empty, Error: error.GetString());
        }

        var xattrs = entry.GetProperty("xattrs").EnumerateObject().Select(x => $"{x.Name}={x.Value.GetString()}").Order(StringComparer.Ordinal);
        return new TreeNode(
            entry.GetProperty("type").GetString()!,
            entry.GetProperty("mode").GetInt64(),
            entry.GetProperty("uid").GetInt64(),
            entry.GetProperty("gid").GetInt64(),
            string.Join(',', xattrs),
            entry.TryGetProperty("size", out var size) ? size.GetInt64() : null,
            entry.TryGetProperty("sha256", out var sha) ? sha.GetString() : null,
            entry.TryGetProperty("target", out var target) ? target.GetString() : null);
    }

    public override string ToString() =>
        Error is not null
            ? $"error {Error}"
            : string.Create(CultureInfo.InvariantCulture, $"{Type} {Convert.ToString(Mode, 8)} {Uid}:{Gid} xattrs={{{Xattrs}}}")
              + (Size is { } s ? string.Create(CultureInfo.InvariantCulture, $" size={s} sha256={Sha256}") : string.Empty)
              + (Target is not null ? $" -> {Target}" : string.Empty);
}
