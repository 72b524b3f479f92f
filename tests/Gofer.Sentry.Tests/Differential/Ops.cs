using System.Text;
using System.Text.Json.Nodes;

namespace Gofer.Sentry.Tests.Differential;

/// <summary>
/// The operations of EXEC.md as script steps, fields in its order. Data and xattr values are given
/// as text and sent base64 as the format wants; modes are numbers (<c>Octal.Of("644")</c>).
/// </summary>
public static class Ops
{
    public static ScriptStep Lstat(string path) => Step("lstat", ("path", path));

    public static ScriptStep Stat(string path) => Step("stat", ("path", path));

    public static ScriptStep Readdir(string path) => Step("readdir", ("path", path));

    public static ScriptStep Read(string path, long offset = 0, long length = -1) =>
        Step("read", ("path", path), ("offset", offset), ("length", length));

    public static ScriptStep Write(string path, string data, long offset = 0) =>
        Step("write", ("path", path), ("offset", offset), ("data", Base64(data)));

    public static ScriptStep Append(string path, string data) => Step("append", ("path", path), ("data", Base64(data)));

    public static ScriptStep Create(string path, uint mode, bool excl = false, bool trunc = false) =>
        Step("create", ("path", path), ("mode", mode), ("excl", excl), ("trunc", trunc));

    public static ScriptStep Truncate(string path, long size) => Step("truncate", ("path", path), ("size", size));

    public static ScriptStep Mkdir(string path, uint mode) => Step("mkdir", ("path", path), ("mode", mode));

    public static ScriptStep Rmdir(string path) => Step("rmdir", ("path", path));

    public static ScriptStep Unlink(string path) => Step("unlink", ("path", path));

    public static ScriptStep Mkfifo(string path, uint mode) => Step("mkfifo", ("path", path), ("mode", mode));

    /// <param name="flags"><c>""</c>, <c>"noreplace"</c> or <c>"exchange"</c>.</param>
    public static ScriptStep Rename(string from, string to, string flags = "") => Step("rename", ("from", from), ("to", to), ("flags", flags));

    public static ScriptStep Link(string from, string to) => Step("link", ("from", from), ("to", to));

    public static ScriptStep Symlink(string target, string path) => Step("symlink", ("target", target), ("path", path));

    public static ScriptStep Readlink(string path) => Step("readlink", ("path", path));

    public static ScriptStep Chmod(string path, uint mode) => Step("chmod", ("path", path), ("mode", mode));

    public static ScriptStep Chown(string path, uint uid, uint gid) => Step("chown", ("path", path), ("uid", uid), ("gid", gid));

    public static ScriptStep Utimes(string path, long accessTimeNs, long modifyTimeNs) =>
        Step("utimes", ("path", path), ("atime_ns", accessTimeNs), ("mtime_ns", modifyTimeNs));

    /// <param name="flags"><c>""</c>, <c>"create"</c> or <c>"replace"</c>.</param>
    public static ScriptStep SetXattr(string path, string name, string value, string flags = "") =>
        Step("setxattr", ("path", path), ("name", name), ("value", Base64(value)), ("flags", flags));

    public static ScriptStep GetXattr(string path, string name) => Step("getxattr", ("path", path), ("name", name));

    public static ScriptStep ListXattr(string path) => Step("listxattr", ("path", path));

    public static ScriptStep RemoveXattr(string path, string name) => Step("removexattr", ("path", path), ("name", name));

    public static ScriptStep Tree(string path = "/") => Step("tree", ("path", path));

    /// <summary>Text as the base64 the format carries data and values in.</summary>
    public static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static ScriptStep Step(string op, params (string Name, JsonNode? Value)[] arguments)
    {
        var operation = new JsonObject { ["op"] = op };
        foreach (var (name, value) in arguments)
        {
            operation[name] = value;
        }

        return new ScriptStep(operation);
    }
}
