namespace Gofer.Server.Spec;

/// <summary>A mount of the spec that the gofer does not serve (proc, tmpfs, devpts, …): the sandbox provides those itself.</summary>
/// <param name="Destination">Where the container sees it.</param>
/// <param name="Type">The spec's mount type.</param>
public sealed record SkippedMount(string Destination, string Type);
