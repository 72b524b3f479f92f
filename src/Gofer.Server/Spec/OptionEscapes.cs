using System.Text;

namespace Gofer.Server.Spec;

/// <summary>
/// The backslash escapes of overlayfs's option string: <c>\,</c> keeps a comma inside an option,
/// <c>\:</c> keeps a colon inside a <c>lowerdir</c> entry, and a backslash before any character
/// stands for that character (so <c>\\</c> is one backslash).
/// </summary>
/// <remarks>
/// The kernel works in two passes and so does this type: options are split at unescaped commas
/// with the escapes kept (fs/overlayfs/params.c, <c>ovl_next_opt</c>), then each path value is
/// split at unescaped colons (lowerdir only) and unescaped (<c>ovl_parse_param_split_lowerdirs</c>,
/// <c>ovl_unescape</c>). Unescaping during the first pass would turn <c>\\:</c> into a separator.
/// </remarks>
internal static class OptionEscapes
{
    /// <summary>Splits one element of the spec's <c>options</c> at unescaped commas, keeping every backslash.</summary>
    public static List<string> SplitOptions(string element)
    {
        // Keeping the escapes cannot fail: a dangling backslash stays in the token and is judged
        // when (and if) the token's value is unescaped.
        Split(element, ',', unescape: false, out var tokens);
        return tokens;
    }

    /// <summary>
    /// Unescapes a path value, splitting it at unescaped <paramref name="separator"/>s when one is
    /// given (<c>':'</c> for <c>lowerdir</c>). Fails when the value ends in a lone backslash, which
    /// escapes nothing; the kernel silently drops it, which would name a different path.
    /// </summary>
    public static bool TryUnescape(string value, char? separator, out List<string> parts) =>
        Split(value, separator, unescape: true, out parts);

    private static bool Split(string text, char? separator, bool unescape, out List<string> parts)
    {
        parts = [];
        var current = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\')
            {
                if (i + 1 == text.Length)
                {
                    if (unescape)
                    {
                        return false;
                    }

                    current.Append(c);
                    break;
                }

                if (!unescape)
                {
                    current.Append(c);
                }

                current.Append(text[++i]);
            }
            else if (c == separator)
            {
                parts.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        parts.Add(current.ToString());
        return true;
    }
}
