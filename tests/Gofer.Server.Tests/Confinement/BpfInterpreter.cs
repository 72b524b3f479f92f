using Gofer.Native;
using Gofer.Server.Confinement;

namespace Gofer.Server.Tests.Confinement;

/// <summary>
/// Runs a seccomp program the way the kernel does, for the instructions a syscall filter uses:
/// so that tests can ask what the filter decides for a given call without installing it. Anything
/// the kernel's checker would refuse (an unknown opcode, a jump past the end, a load outside
/// struct seccomp_data or unaligned, running off the end) fails the test.
/// </summary>
public static class BpfInterpreter
{
    /// <summary>struct seccomp_data for one call.</summary>
    public sealed record SeccompData(int Number, uint Arch, params ulong[] Arguments)
    {
        public static SeccompData X8664(string name, params ulong[] arguments) =>
            new(SyscallFilterTable.X8664[name], SyscallFilterProgram.AuditArchX8664, arguments);

        public uint Word(uint offset) => offset switch
        {
            SyscallFilterProgram.NrOffset => (uint)Number,
            SyscallFilterProgram.ArchOffset => Arch,
            8 or 12 => 0, // instruction_pointer
            >= 16 and < 64 when offset % 4 == 0 => Argument((int)(offset - 16) / 8) is var a && offset % 8 == 0 ? (uint)a : (uint)(a >> 32),
            _ => throw new InvalidOperationException($"load at offset {offset} is outside struct seccomp_data or unaligned"),
        };

        private ulong Argument(int index) => index < Arguments.Length ? Arguments[index] : 0;
    }

    public static uint Run(IReadOnlyList<BpfInstruction> program, SeccompData call)
    {
        uint a = 0;
        for (var pc = 0; pc < program.Count; pc++)
        {
            var i = program[pc];
            switch (i.Code)
            {
                case BpfProgram.LoadWordAbsolute:
                    a = call.Word(i.Operand);
                    break;
                case BpfProgram.Return:
                    return i.Operand;
                case BpfProgram.JumpIfEqual:
                    pc += a == i.Operand ? i.JumpIfTrue : i.JumpIfFalse;
                    break;
                case BpfProgram.JumpIfGreaterOrEqual:
                    pc += a >= i.Operand ? i.JumpIfTrue : i.JumpIfFalse;
                    break;
                case BpfProgram.JumpIfAnyBitSet:
                    pc += (a & i.Operand) != 0 ? i.JumpIfTrue : i.JumpIfFalse;
                    break;
                default:
                    throw new InvalidOperationException($"opcode {i.Code:x} at {pc} is not one a syscall filter uses");
            }

            if (pc + 1 >= program.Count)
            {
                throw new InvalidOperationException($"instruction {pc} jumps or runs past the end of the program");
            }
        }

        throw new InvalidOperationException("the program ran off its end");
    }
}
