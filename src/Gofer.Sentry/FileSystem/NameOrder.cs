using System.Text;

namespace Gofer.Sentry.FileSystem;

/// <summary>Orders names by their UTF-8 bytes, as readdir listings are sorted (string ordinal order differs beyond the BMP).</summary>
public sealed class NameOrder : IComparer<string>
{
    public static readonly NameOrder Instance = new();

    public int Compare(string? x, string? y) =>
        Encoding.UTF8.GetBytes(x ?? "").AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? ""));
}
