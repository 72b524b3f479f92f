namespace Gofer.MountBenchmarks;

/// <summary>One way of mounting the overlay: a name for the table and the command that mounts it (it returns once mounted).</summary>
/// <param name="Name">As the table shows it.</param>
/// <param name="Program">The mount command.</param>
/// <param name="Arguments">Its arguments, given the option string and the mount point.</param>
public sealed record Contender(string Name, string Program, Func<string, string, string[]> Arguments);
