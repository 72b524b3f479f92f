using System.Text.RegularExpressions;

namespace Gofer.Protocol.Layers;

/// <summary>
/// Names the gofer and the sentry give to files while they build them in an upper layer:
/// <c>.gofer-tmp-</c> and 32 hex digits. A file is made under such a name, completed, then renamed
/// into place in one step, so a crash can leave one behind but never a half-made file under a real
/// name; the sentry never shows these names in a view.
/// </summary>
public static partial class ScratchName
{
    public const string Prefix = ".gofer-tmp-";

    /// <summary>A new scratch name.</summary>
    public static string New() => Prefix + Guid.NewGuid().ToString("N");

    /// <summary>Whether a name is a scratch name (and so hidden from views).</summary>
    public static bool Is(string name) => name.Length == Prefix.Length + 32 && Pattern().IsMatch(name);

    [GeneratedRegex("^\\.gofer-tmp-[0-9a-f]{32}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
