namespace Gofer.Server.Spec;

/// <summary>
/// Reads a bind mount's options: whether it is read-only and whether submounts of its source are
/// bound too, with every other option accepted for its meaning (<see cref="RuntimeMountOptions"/>)
/// or refused by name.
/// </summary>
/// <remarks>
/// Each element of <c>options</c> is one option, as runc and crun read a bind's options (unlike an
/// overlay's, no element is split at commas): <c>"rbind,ro"</c> in one element is refused as
/// unknown rather than guessed at.
/// </remarks>
public static class BindOptionParser
{
    /// <summary>A bind mount's options as the gofer serves them.</summary>
    /// <param name="ReadOnly">Served read-only: every change answers EROFS.</param>
    /// <param name="Recursive"><c>rbind</c>: mounts below the source on the host are served too.</param>
    public sealed record BindOptions(bool ReadOnly, bool Recursive);

    /// <summary>Parses the options of one bind mount.</summary>
    /// <param name="options">The mount's <c>options</c> from the spec.</param>
    /// <param name="destination">The mount's destination, to name it in problems.</param>
    /// <param name="problems">Receives every problem found; nothing is thrown for bad input.</param>
    /// <returns>The parsed options, or null when at least one problem was found.</returns>
    public static BindOptions? Parse(IEnumerable<string> options, string destination, ICollection<SpecProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(problems);
        var problemsBefore = problems.Count;
        var readOnly = false;
        var recursive = false;
        foreach (var option in options)
        {
            var equals = option.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? option : option[..equals];
            var value = equals < 0 ? null : option[(equals + 1)..];
            switch (key, value)
            {
                // The last of ro/rw wins, as with the kernel's flags. With rbind, "ro" makes the
                // whole served tree read-only, where the kernel would make only the top mount
                // read-only ("rro" for all of it): the gofer errs on the side of refusing writes.
                case ("ro" or "rro", null):
                    readOnly = true;
                    break;
                case ("rw" or "rrw", null):
                    readOnly = false;
                    break;

                // rbind binds the source's submounts too (MS_REC), as runc does: what the container
                // would see below the destination is what is served. A plain bind serves the source
                // filesystem alone; a mount below it on the host shows its empty mount point.
                case ("rbind", null):
                    recursive = true;
                    break;
                case ("bind", null):
                    break;
                case ("", null):
                    problems.Add(new SpecProblem(destination, "options", null, "has an empty option"));
                    break;
                default:
                    if (!RuntimeMountOptions.TryClassify(key, value, out var refusal))
                    {
                        refusal = key is "ro" or "rw" or "rro" or "rrw" or "bind" or "rbind"
                            ? "takes no value"
                            : "unknown bind mount option";
                    }

                    if (refusal is not null)
                    {
                        problems.Add(new SpecProblem(destination, option, null, refusal));
                    }

                    break;
            }
        }

        return problems.Count > problemsBefore ? null : new BindOptions(readOnly, recursive);
    }
}
