using System.Text.Json;

namespace Gofer.Server.Spec;

/// <summary>
/// Reads the parts of a bundle's <c>config.json</c> (OCI runtime spec) the gofer needs:
/// <c>root.path</c>, <c>root.readonly</c> and <c>mounts</c>.
/// </summary>
/// <remarks>
/// <see cref="JsonDocument"/> rather than reflection-based deserialization: the gofer is a
/// NativeAOT binary, and walking the document also lets every problem name its JSON path.
/// Problems name the JSON path as their option (e.g. <c>mounts[2].destination</c>).
/// </remarks>
public static class OciSpecReader
{
    /// <summary>The spec's file name inside a bundle.</summary>
    public const string FileName = "config.json";

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        // A key given twice is refused rather than resolved: runc (Go) takes the last one, other
        // readers the first, and a spec whose meaning depends on the reader must not be served.
        AllowDuplicateProperties = false,
    };

    /// <summary>Reads and checks <c>&lt;bundle&gt;/config.json</c>.</summary>
    /// <param name="bundleDirectory">Absolute path of the bundle directory.</param>
    /// <param name="problems">Receives every problem found; nothing is thrown for bad input.</param>
    /// <returns>
    /// The spec, or null when it has no usable root (unreadable, malformed, no <c>root.path</c>).
    /// Mounts with problems are left out of the spec; their problems are reported.
    /// </returns>
    public static OciSpec? Read(string bundleDirectory, ICollection<SpecProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var path = Path.Join(bundleDirectory, FileName);
        byte[] json;
        try
        {
            json = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            problems.Add(new SpecProblem(null, null, path, "does not exist"));
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add(new SpecProblem(null, null, path, $"cannot be read: {e.Message}"));
            return null;
        }

        return Parse(json, bundleDirectory, problems);
    }

    /// <summary>Checks the text of a <c>config.json</c>.</summary>
    /// <param name="json">The file's bytes (UTF-8).</param>
    /// <param name="bundleDirectory">Absolute path of the bundle directory, recorded in the spec.</param>
    /// <param name="problems">Receives every problem found; nothing is thrown for bad input.</param>
    /// <returns>As for <see cref="Read"/>.</returns>
    public static OciSpec? Parse(ReadOnlyMemory<byte> json, string bundleDirectory, ICollection<SpecProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException e)
        {
            // The exception's message carries the line and byte position.
            problems.Add(new SpecProblem(null, null, null, $"{FileName} is malformed JSON: {e.Message}"));
            return null;
        }

        using (document)
        {
            var top = document.RootElement;
            if (top.ValueKind != JsonValueKind.Object)
            {
                problems.Add(new SpecProblem(null, null, null, $"{FileName} must hold a JSON object"));
                return null;
            }

            // Mounts are read even when the root is unusable, so that one run reports everything.
            var root = ReadRoot(top, problems);
            var mounts = ReadMounts(top, problems);
            return root is var (rootPath, rootReadOnly)
                ? new OciSpec(bundleDirectory, rootPath, rootReadOnly, mounts)
                : null;
        }
    }

    private static (string Path, bool ReadOnly)? ReadRoot(JsonElement top, ICollection<SpecProblem> problems)
    {
        if (!TryGetMember(top, "root", "root", required: true, null, problems, out var root))
        {
            return null;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new SpecProblem(null, "root", null, "must be an object"));
            return null;
        }

        var pathOk = TryGetString(root, "path", "root.path", required: true, null, problems, out var path);
        var readOnlyOk = TryGetBool(root, "readonly", "root.readonly", problems, out var readOnly);
        return pathOk && readOnlyOk ? (path!, readOnly) : null;
    }

    private static List<OciMount> ReadMounts(JsonElement top, ICollection<SpecProblem> problems)
    {
        var mounts = new List<OciMount>();
        if (!TryGetMember(top, "mounts", "mounts", required: false, null, problems, out var array))
        {
            return mounts;
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            problems.Add(new SpecProblem(null, "mounts", null, "must be an array"));
            return mounts;
        }

        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            if (ReadMount(element, $"mounts[{index++}]", problems) is { } mount)
            {
                mounts.Add(mount);
            }
        }

        return mounts;
    }

    private static OciMount? ReadMount(JsonElement element, string jsonPath, ICollection<SpecProblem> problems)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new SpecProblem(null, jsonPath, null, "must be an object"));
            return null;
        }

        var problemsBefore = problems.Count;
        TryGetString(element, "destination", $"{jsonPath}.destination", required: true, null, problems, out var destination);
        if (destination is not null && DestinationDefect(destination) is { } defect)
        {
            problems.Add(new SpecProblem(destination, $"{jsonPath}.destination", null, defect));
        }

        TryGetString(element, "type", $"{jsonPath}.type", required: false, destination, problems, out var type);
        TryGetString(element, "source", $"{jsonPath}.source", required: false, destination, problems, out var source);
        var options = ReadOptions(element, $"{jsonPath}.options", destination, problems);

        // An idmapped mount shows the container other owners than the host files have; the gofer
        // serves the files' real owners, so the planner refuses these. Any value counts: it is
        // the runtime's intent that matters, not whether the mapping is well formed.
        var idMapped = IsPresent(element, "uidMappings") || IsPresent(element, "gidMappings");

        return problems.Count > problemsBefore
            ? null
            : new OciMount(HostPath.Resolve(destination!, "/"), type, source, options, idMapped);
    }

    /// <summary>Why a destination cannot be used, or null. The OCI spec requires absolute destinations.</summary>
    private static string? DestinationDefect(string destination) =>
        HostPath.Defect(destination)
        ?? (!destination.StartsWith('/') ? "must be an absolute path"
            // ".." could climb out of the container's root once joined to it; nothing needs it.
            : HostPath.HasParentComponent(destination) ? "must not contain \"..\""
            : null);

    private static List<string> ReadOptions(
        JsonElement mount,
        string jsonPath,
        string? destination,
        ICollection<SpecProblem> problems)
    {
        var options = new List<string>();
        if (!TryGetMember(mount, "options", jsonPath, required: false, destination, problems, out var array))
        {
            return options;
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            problems.Add(new SpecProblem(destination, jsonPath, null, "must be an array of strings"));
            return options;
        }

        var index = 0;
        foreach (var option in array.EnumerateArray())
        {
            if (option.ValueKind == JsonValueKind.String)
            {
                options.Add(option.GetString()!);
            }
            else
            {
                problems.Add(new SpecProblem(destination, $"{jsonPath}[{index}]", null, "must be a string"));
            }

            index++;
        }

        return options;
    }

    private static bool IsPresent(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>
    /// Finds <paramref name="name"/> in <paramref name="obj"/>. A JSON null counts as absent, as in
    /// Go's encoding/json. Returns false when absent (a problem when <paramref name="required"/>).
    /// </summary>
    private static bool TryGetMember(
        JsonElement obj,
        string name,
        string jsonPath,
        bool required,
        string? destination,
        ICollection<SpecProblem> problems,
        out JsonElement member)
    {
        if (obj.TryGetProperty(name, out member) && member.ValueKind != JsonValueKind.Null)
        {
            return true;
        }

        if (required)
        {
            problems.Add(new SpecProblem(destination, jsonPath, null, "is missing"));
        }

        return false;
    }

    /// <summary>Reads an optional or required string; false (with a problem) when it is wrong or missing but required.</summary>
    private static bool TryGetString(
        JsonElement obj,
        string name,
        string jsonPath,
        bool required,
        string? destination,
        ICollection<SpecProblem> problems,
        out string? value)
    {
        value = null;
        if (!TryGetMember(obj, name, jsonPath, required, destination, problems, out var member))
        {
            return !required;
        }

        if (member.ValueKind != JsonValueKind.String)
        {
            problems.Add(new SpecProblem(destination, jsonPath, null, "must be a string"));
            return false;
        }

        value = member.GetString();
        return true;
    }

    /// <summary>Reads an optional boolean (false when absent); false (with a problem) when it is not a boolean.</summary>
    private static bool TryGetBool(
        JsonElement obj,
        string name,
        string jsonPath,
        ICollection<SpecProblem> problems,
        out bool value)
    {
        value = false;
        if (!TryGetMember(obj, name, jsonPath, required: false, null, problems, out var member))
        {
            return true;
        }

        if (member.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            problems.Add(new SpecProblem(null, jsonPath, null, "must be true or false"));
            return false;
        }

        value = member.GetBoolean();
        return true;
    }
}
