using System.Diagnostics;
using System.Text;
using Gofer.Server.Spec;

namespace Gofer.Fuzzing.Layers;

/// <summary>
/// Real temporary layers for the harnesses: an overlay mount (two read-only lowers, upper, work)
/// and a writable bind mount, plus a directory beside them that no request may reach. The
/// writable layers are laid anew before every input, so an input's outcome does not depend on the
/// inputs before it (a failure replays from its bytes alone); the read-only layers and the outside
/// directory are laid once and their fingerprint is compared after every input.
/// </summary>
public sealed class FuzzLayers : IDisposable
{
    /// <summary>Layer ids as <see cref="Plan"/> assigns them.</summary>
    public const uint Lower0Id = 1, Lower1Id = 2, UpperId = 3, WorkId = 4, BindId = 5;

    /// <summary>Names the seeded tree holds (and a generator should favour).</summary>
    public static IReadOnlyList<string> SeededNames { get; } = ["f", "d", "g", "link", "fifo", "wh", "opq", "deep", "big", "shared", "top"];

    private readonly string[] writable;
    private readonly string[] guarded;
    private string fingerprint = "";

    public FuzzLayers()
    {
        Root = Directory.CreateTempSubdirectory("gofer-fuzz-").FullName;
        writable = [Combine("upper"), Combine("work"), Combine("bind")];
        guarded = [Combine("lower0"), Combine("lower1"), Combine("outside")];
        foreach (var d in writable.Concat(guarded))
        {
            Directory.CreateDirectory(d);
        }

        LayReadOnly();
        Reset();
        fingerprint = Fingerprint();
    }

    public string Root { get; }

    public string Upper => Combine("upper");

    /// <summary>The plan a gofer would make of these layers (ids as the constants say).</summary>
    public MountPlan Plan
    {
        get
        {
            var overlay = new OverlayOptions([Combine("lower0"), Combine("lower1")], Combine("upper"), Combine("work"), false, RedirectDir.On, false);
            return new MountPlan(Root, [
                new PlannedMount(0, "/data", MountKind.Overlay, ["lowerdir=…"], overlay, [
                    new LayerPlan((int)Lower0Id, LayerRole.Lower, Combine("lower0"), "/m0/lower0", true, false),
                    new LayerPlan((int)Lower1Id, LayerRole.Lower, Combine("lower1"), "/m0/lower1", true, false),
                    new LayerPlan((int)UpperId, LayerRole.Upper, Combine("upper"), "/m0/upper", false, false),
                    new LayerPlan((int)WorkId, LayerRole.Work, Combine("work"), "/m0/work", false, false),
                ]),
                new PlannedMount(1, "/bind", MountKind.Bind, ["rbind"], null, [
                    new LayerPlan((int)BindId, LayerRole.Bind, Combine("bind"), "/m1/bind", false, true),
                ]),
            ], []);
        }
    }

    /// <summary>Lays the writable layers anew: what an input made or changed there is gone.</summary>
    public void Reset()
    {
        foreach (var layer in writable)
        {
            Empty(layer);
        }

        // The upper: a file, a directory with a file, a symlink out of the layer, a hard link
        // candidate and a sparse file larger than one transfer.
        File.WriteAllText(Path.Combine(Upper, "f"), "upper file");
        Directory.CreateDirectory(Path.Combine(Upper, "d"));
        File.WriteAllText(Path.Combine(Upper, "d", "g"), "in d");
        File.CreateSymbolicLink(Path.Combine(Upper, "link"), "../../../..");
        using (var big = File.Create(Path.Combine(Upper, "big")))
        {
            big.SetLength(5 << 20);
        }

        File.WriteAllText(Path.Combine(Combine("bind"), "f"), "bind file");
        Directory.CreateDirectory(Path.Combine(Combine("bind"), "d"));
    }

    /// <summary>Throws when a read-only layer or the directory outside the layers changed.</summary>
    public void CheckGuarded()
    {
        var now = Fingerprint();
        if (now != fingerprint)
        {
            throw new FindingException(FindingKind.GuardedLayerChanged, $"a read-only layer or the outside directory changed:\n{now}");
        }
    }

    private string Combine(string name) => Path.Combine(Root, name);

    /// <summary>
    /// The read-only layers: a whiteout and an opaque directory (the sentry's markers), a FIFO, a
    /// symlink, a deep directory, names shared by both lowers. Device nodes, FIFOs and trusted.*
    /// xattrs are made with the system's tools: managed code has no call for them.
    /// </summary>
    private void LayReadOnly()
    {
        var top = Combine("lower0");
        var bottom = Combine("lower1");
        File.WriteAllText(Path.Combine(top, "top"), "top");
        File.WriteAllText(Path.Combine(top, "shared"), "from the top");
        File.WriteAllText(Path.Combine(bottom, "shared"), "from the bottom");
        File.WriteAllText(Path.Combine(bottom, "wh"), "hidden by a whiteout");
        Directory.CreateDirectory(Path.Combine(top, "opq"));
        Directory.CreateDirectory(Path.Combine(bottom, "opq"));
        File.WriteAllText(Path.Combine(bottom, "opq", "hidden"), "hidden by opaque");
        Directory.CreateDirectory(Path.Combine(bottom, "deep", "a", "b", "c"));
        File.WriteAllText(Path.Combine(bottom, "deep", "a", "b", "c", "f"), "deep");
        Directory.CreateDirectory(Path.Combine(bottom, "d"));
        File.WriteAllText(Path.Combine(bottom, "d", "lower"), "lower in d");
        File.CreateSymbolicLink(Path.Combine(bottom, "link"), "/");
        File.WriteAllText(Path.Combine(Combine("outside"), "secret"), "never served");
        Run("mknod", Path.Combine(top, "wh"), "c", "0", "0");
        Run("mkfifo", Path.Combine(top, "fifo"));
        Run("setfattr", "-n", "trusted.overlay.opaque", "-v", "y", Path.Combine(top, "opq"));
    }

    private static void Run(string tool, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, arguments) { RedirectStandardError = true })
            ?? throw new InvalidOperationException($"cannot start {tool}");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)}: {error.Trim()}");
        }
    }

    /// <summary>
    /// Removes everything inside <paramref name="directory"/>, keeping the directory itself (the
    /// served layer's root descriptor points at it). A name that is not UTF-8 cannot be named by
    /// managed file APIs, so such leftovers go by rm(1).
    /// </summary>
    private static void Empty(string directory)
    {
        try
        {
            foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
            {
                if (entry is DirectoryInfo { LinkTarget: null } sub)
                {
                    sub.Delete(recursive: true);
                }
                else
                {
                    entry.Delete();
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Run("find", directory, "-mindepth", "1", "-delete");
        }
    }

    private string Fingerprint()
    {
        var text = new StringBuilder();
        foreach (var root in guarded)
        {
            foreach (var entry in Tree(new DirectoryInfo(root)).OrderBy(e => e.FullName, StringComparer.Ordinal))
            {
                var size = entry is FileInfo { LinkTarget: null } file && !IsSpecial(file) ? file.Length : 0;
                text.Append(entry.FullName).Append(' ').Append(entry.UnixFileMode).Append(' ').Append(size)
                    .Append(' ').Append(entry.LastWriteTimeUtc.Ticks).Append(' ').Append(entry.LinkTarget).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>Everything under a directory, symlinks listed but never followed.</summary>
    private static IEnumerable<FileSystemInfo> Tree(DirectoryInfo directory)
    {
        foreach (var entry in directory.EnumerateFileSystemInfos())
        {
            yield return entry;
            if (entry is DirectoryInfo { LinkTarget: null } sub)
            {
                foreach (var below in Tree(sub))
                {
                    yield return below;
                }
            }
        }
    }

    private static bool IsSpecial(FileInfo file) => (file.Attributes & (FileAttributes.Device | FileAttributes.System)) != 0;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Run("rm", "-rf", Root);
        }
    }
}
