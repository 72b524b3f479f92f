using System.Text;

namespace Gofer.MountHelper;

/// <summary>
/// Splits a mount option string at commas the way overlayfs does (fs/overlayfs/params.c): a
/// backslash escapes the next character, so <c>lowerdir=a\,b</c> is one option. The escapes are
/// kept in the pieces, since the overlay's own parser reads them again.
/// </summary>
public static class MountOptionSplitter
{
    public static IReadOnlyList<string> Split(string options, char separator = ',')
    {
        ArgumentNullException.ThrowIfNull(options);
        var pieces = new List<string>();
        var current = new StringBuilder();
        for (var i = 0; i < options.Length; i++)
        {
            var c = options[i];
            if (c == '\\' && i + 1 < options.Length)
            {
                current.Append(c).Append(options[++i]);
            }
            else if (c == separator)
            {
                pieces.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        pieces.Add(current.ToString());
        return pieces;
    }

    /// <summary>Escapes the characters the overlay's option parser treats specially.</summary>
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
}
