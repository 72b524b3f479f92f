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
public static class OptionEscapes
{
    /// <summary>Splits one element of the spec's <c>options</c> at unescaped commas, keeping every backslash.</summary>
    public static List<string> SplitOptions(string element) => SplitKeepingEscapes(element, ',');

    /// <summary>
    /// Splits at unescaped <paramref name="separator"/>s, keeping every backslash: the pieces can be
    /// rewritten (a relative path made absolute) and joined again without changing their meaning.
    /// </summary>
    public static List<string> SplitKeepingEscapes(string text, char separator)
    {
        // Keeping the escapes cannot fail: a dangling backslash stays in the token and is judged
        // when (and if) the token's value is unescaped.
        Split(text, separator, unescape: false, out var tokens);
        return tokens;
    }

    /// <summary>A path as an option value: backslash, colon and comma escaped, so the parser reads it back as it is.</summary>
    public static string Escape(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var escaped = new StringBuilder(path.Length);
        foreach (var c in path)
        {
            if (c is '\\' or ':' or ',')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
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
