using System.CommandLine;
using System.Globalization;

namespace Gofer.Cli;

/// <summary>
/// An option naming a descriptor the caller passed (<c>--ready-fd N</c>, <c>--listen-fd N</c>…).
/// Parsed here rather than by the library's converter, whose failure on a nullable number is an
/// exception when the value is read, not an error of the command line: "abc", "-1" or a number
/// past int's range are a wrong command line (status 2) naming the option.
/// </summary>
internal static class DescriptorOption
{
    public static Option<int?> Create(string name, string description, bool hidden = false) => new(name)
    {
        Description = description,
        Hidden = hidden,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(' ', result.Tokens.Select(t => t.Value));
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var fd))
            {
                return fd;
            }

            result.AddError($"{name} takes a descriptor number, not \"{text}\"");
            return null;
        },
    };
}
