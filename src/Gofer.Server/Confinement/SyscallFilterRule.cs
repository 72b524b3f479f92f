namespace Gofer.Server.Confinement;

/// <summary>
/// What the filter does with one system call, and why. A call with no rule is not in the
/// allowlist and gets the filter's default action.
/// </summary>
/// <param name="Syscall">The call's name, as in the kernel's syscall table.</param>
/// <param name="Why">What of the gofer makes it (or why it is answered without being made).</param>
/// <param name="Checks">Conditions on its arguments, all of which must hold for it to be allowed.</param>
/// <param name="Refused">When set, the call is never made: the filter answers it with this errno.</param>
/// <param name="RefusedWithErrno">When a check fails: answer with this errno instead of the default action.</param>
public sealed record SyscallFilterRule(
    string Syscall,
    string Why,
    IReadOnlyList<ArgumentCheck>? Checks = null,
    int? Refused = null,
    int? RefusedWithErrno = null)
{
    public static SyscallFilterRule Allow(string syscall, string why) => new(syscall, why);

    public static SyscallFilterRule AllowWhen(string syscall, string why, params ArgumentCheck[] checks) => new(syscall, why, checks);

    /// <summary>Allowed when the checks hold; answered with <paramref name="errno"/> when they do not.</summary>
    public static SyscallFilterRule AllowWhenElseErrno(string syscall, string why, int errno, params ArgumentCheck[] checks) =>
        new(syscall, why, checks, RefusedWithErrno: errno);

    /// <summary>Never made: answered with <paramref name="errno"/>, which the caller expects and handles.</summary>
    public static SyscallFilterRule Answer(string syscall, int errno, string why) => new(syscall, why, Refused: errno);

    /// <summary>Whether the call is made at all (with or without conditions).</summary>
    public bool IsAllowed => Refused is null;
}

/// <summary>
/// A condition on one argument of a call. Only the argument's low 32 bits are looked at: every
/// argument checked is an int or unsigned int in the kernel's own signature (clone's flags are
/// cut to 32 bits by the kernel too), so the high word cannot change what the kernel does.
/// </summary>
public abstract record ArgumentCheck(int Index)
{
    /// <summary>Offset of the argument's low word in struct seccomp_data (little-endian).</summary>
    public uint Offset => Index is >= 0 and < 6 ? (uint)(16 + (8 * Index)) : throw new ArgumentOutOfRangeException(nameof(Index));

    /// <summary>Whether the check holds for an argument's low 32 bits (the meaning the program must have).</summary>
    public abstract bool Holds(uint value);
}

/// <summary>The argument is one of a few values (a socket family, an ioctl request, a prctl option).</summary>
public sealed record ArgumentIsOneOf(int Index, IReadOnlyList<uint> Values) : ArgumentCheck(Index)
{
    public override bool Holds(uint value) => Values.Contains(value);
}

/// <summary>The argument has every <paramref name="Required"/> bit and none of the <paramref name="Forbidden"/> ones.</summary>
public sealed record ArgumentFlags(int Index, uint Required, uint Forbidden) : ArgumentCheck(Index)
{
    public override bool Holds(uint value) => (value & Required) == Required && (value & Forbidden) == 0;
}
