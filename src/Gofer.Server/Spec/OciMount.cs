namespace Gofer.Server.Spec;

/// <summary>One entry of the spec's <c>mounts</c>.</summary>
/// <param name="Destination">Where the container sees it: absolute, without <c>..</c>, normalised (no trailing or doubled slashes).</param>
/// <param name="Type">The filesystem type (<c>bind</c>, <c>overlay</c>, <c>proc</c>, …), or null when the spec gives none.</param>
/// <param name="Source">The source as written (a host path for bind mounts), or null.</param>
/// <param name="Options">The options as written, one element per array entry.</param>
/// <param name="IdMapped">The mount has <c>uidMappings</c> or <c>gidMappings</c>: an idmapped mount.</param>
public sealed record OciMount(
    string Destination,
    string? Type,
    string? Source,
    IReadOnlyList<string> Options,
    bool IdMapped);
