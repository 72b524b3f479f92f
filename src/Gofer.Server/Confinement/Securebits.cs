namespace Gofer.Server.Confinement;

/// <summary>securebits(7) flags: how uid 0 is treated at execve and setuid.</summary>
[Flags]
public enum Securebits
{
    None = 0,

    /// <summary>uid 0 gains no capabilities at execve: only the ambient set carries any across.</summary>
    NoRoot = 1 << 0,
    NoRootLocked = 1 << 1,

    /// <summary>No capability changes when ids change to or from 0.</summary>
    NoSetuidFixup = 1 << 2,
    NoSetuidFixupLocked = 1 << 3,

    /// <summary>Off, and locked off: a change of ids always clears the permitted set.</summary>
    KeepCaps = 1 << 4,
    KeepCapsLocked = 1 << 5,

    /// <summary>No capability may be added to the ambient set again.</summary>
    NoCapAmbientRaise = 1 << 6,
    NoCapAmbientRaiseLocked = 1 << 7,
}
