using System.Collections.Frozen;
using System.Text.Json;
using Gofer.Sentry.FileSystem;
using FileAttributes = Gofer.Sentry.FileSystem.FileAttributes;

namespace Gofer.Sentry.Exec;

/// <summary>
/// The ops of `gofer exec`, by name. Each reads its arguments (all of them before the call, so a bad
/// one changes nothing), makes one <see cref="IFileSystem"/> call and writes its result fields,
/// which follow <c>"ok":true</c> in the order the format lists them. Defaults: offset 0, length -1,
/// excl and trunc false, flags "".
/// </summary>
internal static class Operations
{
    private static readonly (string, RenameMode)[] RenameFlags =
        [("", RenameMode.Replace), ("noreplace", RenameMode.NoReplace), ("exchange", RenameMode.Exchange)];

    private static readonly (string, XattrMode)[] XattrFlags =
        [("", XattrMode.Any), ("create", XattrMode.Create), ("replace", XattrMode.Replace)];

    public static FrozenDictionary<string, Action<Arguments, IFileSystem, Utf8JsonWriter>> ByName { get; } =
        new Dictionary<string, Action<Arguments, IFileSystem, Utf8JsonWriter>>
        {
            ["lstat"] = (a, fs, json) => WriteAttributes(json, fs.Lstat(a.Path("path"))),
            ["stat"] = (a, fs, json) => WriteAttributes(json, fs.Stat(a.Path("path"))),
            ["readdir"] = (a, fs, json) => WriteEntries(json, fs.ReadDir(a.Path("path"))),
            ["read"] = (a, fs, json) => json.WriteBase64String("data", fs.Read(a.Path("path"), a.Int64("offset", 0), ReadLength(a))),
            ["write"] = (a, fs, json) => json.WriteNumber("written", fs.Write(a.Path("path"), a.Int64("offset", 0), a.Base64("data"))),
            ["append"] = (a, fs, json) => json.WriteNumber("written", fs.Append(a.Path("path"), a.Base64("data"))),
            ["create"] = (a, fs, _) => fs.Create(a.Path("path"), a.UInt32("mode"), a.Boolean("excl", false), a.Boolean("trunc", false)),
            ["truncate"] = (a, fs, _) => fs.Truncate(a.Path("path"), a.Int64("size")),
            ["mkdir"] = (a, fs, _) => fs.Mkdir(a.Path("path"), a.UInt32("mode")),
            ["rmdir"] = (a, fs, _) => fs.Rmdir(a.Path("path")),
            ["unlink"] = (a, fs, _) => fs.Unlink(a.Path("path")),
            ["mkfifo"] = (a, fs, _) => fs.Mkfifo(a.Path("path"), a.UInt32("mode")),
            ["rename"] = (a, fs, _) => fs.Rename(a.Path("from"), a.Path("to"), a.Choice("flags", RenameFlags)),
            ["link"] = (a, fs, _) => fs.Link(a.Path("from"), a.Path("to")),
            ["symlink"] = (a, fs, _) => fs.Symlink(a.String("target"), a.Path("path")),
            ["readlink"] = (a, fs, json) => json.WriteString("target", fs.Readlink(a.Path("path"))),
            ["chmod"] = (a, fs, _) => fs.Chmod(a.Path("path"), a.UInt32("mode")),
            ["chown"] = (a, fs, _) => fs.Chown(a.Path("path"), a.UInt32("uid"), a.UInt32("gid")),
            ["utimes"] = (a, fs, _) => fs.Utimes(a.Path("path"), a.Int64("atime_ns"), a.Int64("mtime_ns")),
            ["setxattr"] = (a, fs, _) => fs.SetXattr(a.Path("path"), a.String("name"), a.Base64("value"), a.Choice("flags", XattrFlags)),
            ["getxattr"] = (a, fs, json) => json.WriteBase64String("value", fs.GetXattr(a.Path("path"), a.String("name"))),
            ["listxattr"] = (a, fs, json) => WriteNames(json, UserXattrs.Names(fs, a.Path("path"))),
            ["removexattr"] = (a, fs, _) => fs.RemoveXattr(a.Path("path"), a.String("name")),
            ["tree"] = (a, fs, json) => Tree.Write(json, fs, a.Path("path")),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    private static long ReadLength(Arguments arguments)
    {
        var length = arguments.Int64("length", -1);
        return length >= -1 ? length : throw new InvalidRequestException("\"length\" must be -1 (to the end of the file) or a byte count");
    }

    private static void WriteAttributes(Utf8JsonWriter json, FileAttributes attributes)
    {
        json.WriteString("type", FileKindNames.Of(attributes.Kind));
        json.WriteNumber("mode", attributes.Mode);
        json.WriteNumber("size", attributes.Size);
        json.WriteNumber("nlink", attributes.LinkCount);
        json.WriteNumber("uid", attributes.Uid);
        json.WriteNumber("gid", attributes.Gid);
    }

    private static void WriteEntries(Utf8JsonWriter json, IReadOnlyList<DirectoryEntry> entries)
    {
        json.WriteStartArray("entries");
        foreach (var entry in entries)
        {
            json.WriteStartObject();
            json.WriteString("name", entry.Name);
            json.WriteString("type", FileKindNames.Of(entry.Kind));
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteNames(Utf8JsonWriter json, IEnumerable<string> names)
    {
        json.WriteStartArray("names");
        foreach (var name in names)
        {
            json.WriteStringValue(name);
        }

        json.WriteEndArray();
    }
}
