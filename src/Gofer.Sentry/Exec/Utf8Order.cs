namespace Gofer.Sentry.Exec;

/// <summary>
/// Orders strings by their UTF-8 bytes, which is how the kernel's names sort (and code point order).
/// UTF-16 ordinal order agrees except between a surrogate pair (a code point above U+FFFF) and a
/// unit from U+E000 to U+FFFF, which it puts the wrong way round; those are remapped.
/// </summary>
public sealed class Utf8Order : IComparer<string>
{
    public static Utf8Order Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            if (x[i] != y[i])
            {
                return CodePointRank(x[i]) - CodePointRank(y[i]);
            }
        }

        return x.Length - y.Length;
    }

    /// <summary>Surrogates (D800–DFFF) move above FFFF's neighbours; E000–FFFF move down to make room.</summary>
    private static int CodePointRank(char c) => c switch
    {
        >= '\uE000' => c - 0x800,
        >= '\uD800' => c + 0x2000,
        _ => c,
    };
}
