using Gofer.Native;

namespace Gofer.Server.Confinement;

/// <summary>
/// A classic BPF program as seccomp runs it, written instruction by instruction. Only what a
/// syscall filter needs: load a 32-bit word of struct seccomp_data, compare the accumulator,
/// return an action. Jumps are relative and forward only (the kernel's verifier demands it) and
/// reach at most 255 instructions: <see cref="SyscallFilterProgram"/> keeps every jump short by
/// ending each rule in its own returns, so no label machinery is needed here.
/// </summary>
public sealed class BpfProgram
{
    // Opcodes (linux/filter.h): class | size | mode, class | operation | source.
    public const ushort LoadWordAbsolute = 0x00 | 0x00 | 0x20; // BPF_LD | BPF_W | BPF_ABS
    public const ushort JumpIfEqual = 0x05 | 0x10 | 0x00; // BPF_JMP | BPF_JEQ | BPF_K
    public const ushort JumpIfGreaterOrEqual = 0x05 | 0x30 | 0x00; // BPF_JMP | BPF_JGE | BPF_K
    public const ushort JumpIfAnyBitSet = 0x05 | 0x40 | 0x00; // BPF_JMP | BPF_JSET | BPF_K
    public const ushort Return = 0x06 | 0x00; // BPF_RET | BPF_K

    /// <summary>The kernel refuses longer programs (BPF_MAXINSNS).</summary>
    public const int MaxLength = 4096;

    private readonly List<BpfInstruction> instructions = [];

    public IReadOnlyList<BpfInstruction> Instructions => instructions;

    public int Count => instructions.Count;

    /// <summary>A = the 32-bit word at <paramref name="offset"/> of struct seccomp_data.</summary>
    public BpfProgram Load(uint offset) => Add(new BpfInstruction(LoadWordAbsolute, 0, 0, offset));

    /// <summary>If A == value, skip <paramref name="ifTrue"/> instructions, else <paramref name="ifFalse"/>.</summary>
    public BpfProgram JumpEqual(uint value, int ifTrue, int ifFalse) => Jump(JumpIfEqual, value, ifTrue, ifFalse);

    /// <summary>If A &gt;= value (unsigned), skip <paramref name="ifTrue"/>, else <paramref name="ifFalse"/>.</summary>
    public BpfProgram JumpGreaterOrEqual(uint value, int ifTrue, int ifFalse) => Jump(JumpIfGreaterOrEqual, value, ifTrue, ifFalse);

    /// <summary>If A &amp; bits != 0, skip <paramref name="ifTrue"/>, else <paramref name="ifFalse"/>.</summary>
    public BpfProgram JumpAnyBitSet(uint bits, int ifTrue, int ifFalse) => Jump(JumpIfAnyBitSet, bits, ifTrue, ifFalse);

    /// <summary>Ends the filter's run with a seccomp action (SECCOMP_RET_*, with its data).</summary>
    public BpfProgram Returns(uint action) => Add(new BpfInstruction(Return, 0, 0, action));

    /// <summary>Appends another program's instructions (a block whose jumps stay inside it).</summary>
    public BpfProgram Append(BpfProgram block)
    {
        instructions.AddRange(block.instructions);
        return this;
    }

    /// <summary>The instructions, checked: within the kernel's length limit and ending in a return.</summary>
    public BpfInstruction[] ToArray()
    {
        if (instructions.Count is 0 or > MaxLength || instructions[^1].Code != Return)
        {
            throw new InvalidOperationException($"a seccomp program needs 1 to {MaxLength} instructions ending in a return; this one has {instructions.Count}");
        }

        return [.. instructions];
    }

    private BpfProgram Jump(ushort code, uint value, int ifTrue, int ifFalse)
    {
        if (ifTrue is < 0 or > byte.MaxValue || ifFalse is < 0 or > byte.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(ifTrue), $"a BPF jump reaches 0 to 255 instructions forward, not {ifTrue}/{ifFalse}");
        }

        return Add(new BpfInstruction(code, (byte)ifTrue, (byte)ifFalse, value));
    }

    private BpfProgram Add(BpfInstruction instruction)
    {
        instructions.Add(instruction);
        return this;
    }
}
