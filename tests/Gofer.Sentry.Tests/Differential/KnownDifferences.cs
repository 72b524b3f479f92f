using System.Text.Json.Nodes;

namespace Gofer.Sentry.Tests.Differential;

/// <summary>
/// The differences between two correct overlays that comparisons forgive, all of them: they are
/// removed from both answers before comparing. Each one hides a class of bugs, so the list stays
/// short and every entry says why the difference is legitimate.
/// </summary>
public static class KnownDifferences
{
    /// <summary>A copy of one answer line without what two correct overlays may answer differently.</summary>
    public static JsonNode? Normalize(JsonNode? answer)
    {
        if (answer is not JsonObject original)
        {
            return answer;
        }

        var normalized = (JsonObject)original.DeepClone();

        // 1. A failure's "error" is prose for people beside the errno, and EXEC.md lets each tool
        //    word it its own way. The errno itself is compared.
        if (IsFalse(normalized["ok"]))
        {
            normalized.Remove("error");
        }

        // 2. The st_size of a directory (lstat and stat; tree lists no size for directories) is
        //    whatever the filesystem under the layer says and overlayfs passes it through: ext4
        //    counts blocks, tmpfs and btrfs count entries or name bytes, and a directory's history
        //    (made in the workdir and renamed, or made in place; entries added and removed) moves it.
        if (normalized["type"] is JsonValue type && type.TryGetValue(out string? name) && name == "dir")
        {
            normalized.Remove("size");
        }

        return normalized;
    }

    private static bool IsFalse(JsonNode? node) => node is JsonValue value && value.TryGetValue(out bool b) && !b;
}
