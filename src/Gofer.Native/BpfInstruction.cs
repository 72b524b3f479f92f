using System.Runtime.InteropServices;

namespace Gofer.Native;

/// <summary>
/// struct sock_filter: one classic BPF instruction as seccomp(2) takes it — an opcode, the two
/// relative jump offsets of a conditional jump, and a 32-bit operand. Programs are built and
/// checked in Gofer.Server's Confinement; this is only their layout.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct BpfInstruction(ushort Code, byte JumpIfTrue, byte JumpIfFalse, uint Operand);
