using Gofer.Native;

namespace Gofer.Server.Confinement;

/// <summary>
/// Compiles rules into the seccomp BPF program, in this shape:
/// <code>
///   A = arch;  if A != AUDIT_ARCH_X86_64: kill    (an int 0x80 i386 call carries another arch)
///   A = nr;    if A >= X32_SYSCALL_BIT:   kill    (the x32 ABI reaches the same handlers by other numbers)
///   for each rule:  if A == nr: { load and check arguments; return its action }
///   return the default action
/// </code>
/// Every rule ends in its own returns, so each jump skips only its own rule's block: all jumps stay
/// short and forward, and one rule's checks cannot fall into another's.
/// </summary>
public static class SyscallFilterProgram
{
    // Kernel ABI constants (linux/seccomp.h, linux/audit.h).
    public const uint RetKillProcess = 0x80000000;
    public const uint RetErrno = 0x00050000;
    public const uint RetLog = 0x7ffc0000;
    public const uint RetAllow = 0x7fff0000;
    public const uint AuditArchX8664 = 0xC000003E;
    public const uint X32SyscallBit = 0x40000000;

    /// <summary>struct seccomp_data: nr at 0, arch at 4, then instruction_pointer and args[6].</summary>
    public const uint NrOffset = 0;
    public const uint ArchOffset = 4;

    public static uint Errno(int errno) => RetErrno | ((uint)errno & 0xFFFF);

    public static BpfInstruction[] Compile(IReadOnlyList<SyscallFilterRule> rules, IReadOnlyDictionary<string, int> table, uint defaultAction)
    {
        var program = new BpfProgram()
            .Load(ArchOffset).JumpEqual(AuditArchX8664, 1, 0).Returns(RetKillProcess)
            .Load(NrOffset).JumpGreaterOrEqual(X32SyscallBit, 0, 1).Returns(RetKillProcess);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            if (!seen.Add(rule.Syscall))
            {
                throw new InvalidOperationException($"the syscall filter has two rules for {rule.Syscall}");
            }

            if (!table.TryGetValue(rule.Syscall, out var number))
            {
                throw new InvalidOperationException($"the syscall table has no number for {rule.Syscall}");
            }

            var block = Block(rule, defaultAction);
            program.JumpEqual((uint)number, 0, block.Count).Append(block);
        }

        return program.Returns(defaultAction).ToArray();
    }

    /// <summary>
    /// One rule's instructions, run once A == its number: the checks, then "allow", then the
    /// action for a failed check. Each check jumps forward to that last return when it fails.
    /// </summary>
    private static BpfProgram Block(SyscallFilterRule rule, uint defaultAction)
    {
        var block = new BpfProgram();
        if (rule.Refused is { } errno)
        {
            return block.Returns(Errno(errno));
        }

        var checks = rule.Checks ?? [];
        var lengths = checks.Select(Length).ToArray();
        for (var c = 0; c < checks.Count; c++)
        {
            // Instructions after this check, up to and including "return allow": a jump to fail skips them.
            var afterCheck = lengths.Skip(c + 1).Sum() + 1;
            block.Load(checks[c].Offset);
            switch (checks[c])
            {
                case ArgumentIsOneOf oneOf:
                    for (var v = 0; v < oneOf.Values.Count; v++)
                    {
                        var left = oneOf.Values.Count - v - 1; // comparisons after this one
                        block.JumpEqual(oneOf.Values[v], ifTrue: left, ifFalse: left == 0 ? afterCheck : 0);
                    }

                    break;
                case ArgumentFlags flags:
                    foreach (var bit in Bits(flags.Required))
                    {
                        // On failure skip the rest of this check, then the later checks and "allow".
                        block.JumpAnyBitSet(bit, ifTrue: 0, ifFalse: RemainingRequired(flags, bit) + (flags.Forbidden != 0 ? 1 : 0) + afterCheck);
                    }

                    if (flags.Forbidden != 0)
                    {
                        block.JumpAnyBitSet(flags.Forbidden, ifTrue: afterCheck, ifFalse: 0);
                    }

                    break;
                default:
                    throw new InvalidOperationException($"unknown argument check {checks[c]}");
            }
        }

        return block.Returns(RetAllow).Returns(rule.RefusedWithErrno is { } e ? Errno(e) : defaultAction);
    }

    /// <summary>Instructions a check compiles to: the load, then its comparisons.</summary>
    private static int Length(ArgumentCheck check) => check switch
    {
        ArgumentIsOneOf oneOf when oneOf.Values.Count > 0 => 1 + oneOf.Values.Count,
        ArgumentIsOneOf => throw new InvalidOperationException("an argument check needs at least one allowed value"),
        ArgumentFlags flags => 1 + Bits(flags.Required).Count() + (flags.Forbidden != 0 ? 1 : 0),
        _ => throw new InvalidOperationException($"unknown argument check {check}"),
    };

    /// <summary>Required bits tested after <paramref name="bit"/>.</summary>
    private static int RemainingRequired(ArgumentFlags flags, uint bit) => Bits(flags.Required).Count(b => b > bit);

    private static IEnumerable<uint> Bits(uint mask) => Enumerable.Range(0, 32).Select(i => 1u << i).Where(b => (mask & b) != 0);
}
