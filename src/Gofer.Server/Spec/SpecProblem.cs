namespace Gofer.Server.Spec;

/// <summary>One thing wrong with a bundle's spec, named precisely enough to fix it.</summary>
/// <param name="Destination">The mount destination it concerns, or null for the spec as a whole.</param>
/// <param name="Option">The option at fault (e.g. <c>lowerdir</c>), or null.</param>
/// <param name="Path">The path at fault, or null.</param>
/// <param name="Message">What is wrong, in a few words.</param>
public sealed record SpecProblem(string? Destination, string? Option, string? Path, string Message)
{
    /// <summary>One line: <c>mount /data: upperdir "/x": not a directory</c>.</summary>
    public override string ToString()
    {
        var where = Destination is null ? "spec" : $"mount {Destination}";
        var what = (Option, Path) switch
        {
            (not null, not null) => $"{Option} \"{Path}\": ",
            (not null, null) => $"{Option}: ",
            (null, not null) => $"\"{Path}\": ",
            _ => "",
        };
        return $"{where}: {what}{Message}";
    }
}
