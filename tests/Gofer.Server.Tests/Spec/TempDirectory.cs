namespace Gofer.Server.Tests.Spec;

/// <summary>A fresh directory under the system temp directory, deleted with everything in it on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Root = Directory.CreateTempSubdirectory("gofer-spec-").FullName;

    /// <summary>Absolute path of the directory.</summary>
    public string Root { get; }

    /// <summary>Creates a directory (and its parents) below <see cref="Root"/>; returns its absolute path.</summary>
    public string Dir(string relative) => Directory.CreateDirectory(Path.Join(Root, relative)).FullName;

    /// <summary>Creates a regular file below <see cref="Root"/>; returns its absolute path.</summary>
    public string File(string relative, string content = "")
    {
        var path = Path.Join(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Creates a symlink below <see cref="Root"/> pointing at <paramref name="target"/>; returns its path.</summary>
    public string Symlink(string relative, string target)
    {
        var path = Path.Join(Root, relative);
        System.IO.File.CreateSymbolicLink(path, target);
        return path;
    }

    // Directory.Delete does not follow symlinks, so links pointing out of the tree are safe here.
    public void Dispose() => Directory.Delete(Root, recursive: true);
}
