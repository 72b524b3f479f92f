using System.Globalization;
using System.Text;
using Gofer.Server.Tests.Service;

namespace Gofer.Sentry.Tests.Differential;

/// <summary>
/// One entry of a layer, as data. The generator and the catalogue describe layers with these and
/// <see cref="LayerWriter"/> makes them on disk, so a failing random seed prints as the same
/// factory calls a catalogue case is written with.
/// </summary>
/// <param name="Path">Absolute inside the layer (<c>/a/b</c>); parents come earlier in the layer.</param>
/// <param name="Kind">What the entry is.</param>
public sealed record LayerEntry(string Path, EntryKind Kind)
{
    public static readonly uint DirectoryMode = Octal.Of("755");
    public static readonly uint FileMode = Octal.Of("644");

    /// <summary>Permission bits (<c>st_mode &amp; 07777</c>); unused for symlinks and whiteouts.</summary>
    public uint Mode { get; init; }

    public uint Uid { get; init; }

    public uint Gid { get; init; }

    /// <summary>A regular file's content.</summary>
    public string Content { get; init; } = "";

    /// <summary>A symlink's target, or the path (in the same layer) a hard link is made to.</summary>
    public string Target { get; init; } = "";

    /// <summary>A directory's opaque marker.</summary>
    public Opacity Opacity { get; init; }

    /// <summary><c>user.*</c> xattrs (name, text value) of a file or directory.</summary>
    public IReadOnlyList<(string Name, string Value)> Xattrs { get; init; } = [];

    public static LayerEntry Dir(string path, Opacity opacity = Opacity.None, uint? mode = null) =>
        new(path, EntryKind.Directory) { Mode = mode ?? DirectoryMode, Opacity = opacity };

    public static LayerEntry File(string path, string content, uint? mode = null) =>
        new(path, EntryKind.File) { Mode = mode ?? FileMode, Content = content };

    public static LayerEntry Symlink(string path, string target) => new(path, EntryKind.Symlink) { Target = target };

    public static LayerEntry Fifo(string path, uint? mode = null) => new(path, EntryKind.Fifo) { Mode = mode ?? FileMode };

    public static LayerEntry Whiteout(string path) => new(path, EntryKind.Whiteout);

    public static LayerEntry HardLink(string path, string existingPath) => new(path, EntryKind.HardLink) { Target = existingPath };

    public LayerEntry WithXattr(string name, string value) => this with { Xattrs = [.. Xattrs, (name, value)] };

    public LayerEntry OwnedBy(uint uid, uint gid) => this with { Uid = uid, Gid = gid };

    /// <summary>The entry as the C# that makes it, for failure reports and for turning a seed into a catalogue case.</summary>
    public override string ToString()
    {
        var code = Kind switch
        {
            EntryKind.Directory => $"Dir({Quote(Path)}, Opacity.{Opacity}, {OctalCode(Mode)})",
            EntryKind.File => $"File({Quote(Path)}, {Quote(Content)}, {OctalCode(Mode)})",
            EntryKind.Symlink => $"Symlink({Quote(Path)}, {Quote(Target)})",
            EntryKind.Fifo => $"Fifo({Quote(Path)}, {OctalCode(Mode)})",
            EntryKind.Whiteout => $"Whiteout({Quote(Path)})",
            EntryKind.HardLink => $"HardLink({Quote(Path)}, {Quote(Target)})",
            _ => throw new InvalidOperationException($"unknown kind {Kind}"),
        };
        var builder = new StringBuilder(code);
        foreach (var (name, value) in Xattrs)
        {
            builder.Append(CultureInfo.InvariantCulture, $".WithXattr({Quote(name)}, {Quote(value)})");
        }

        if (Uid != 0 || Gid != 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $".OwnedBy({Uid}, {Gid})");
        }

        return builder.ToString();
    }

    private static string Quote(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";

    private static string OctalCode(uint mode) => $"Octal.Of(\"{Convert.ToString(mode, 8)}\")";
}
