namespace Gofer.Server.Confinement;

/// <summary>The Linux capabilities the gofer names, by their numbers in capability.h.</summary>
public enum Capability
{
    Chown = 0,
    DacOverride = 1,
    DacReadSearch = 2,
    Fowner = 3,
    Fsetid = 4,
    SysAdmin = 21,
}

/// <summary>A capability a confined image keeps, and why it needs it.</summary>
public sealed record CapabilityGrant(Capability Capability, string Why)
{
    /// <summary>The kernel's name, as capabilities(7) and /proc/PID/status decoders spell it.</summary>
    public string Name => Capability switch
    {
        Capability.Chown => "CAP_CHOWN",
        Capability.DacOverride => "CAP_DAC_OVERRIDE",
        Capability.DacReadSearch => "CAP_DAC_READ_SEARCH",
        Capability.Fowner => "CAP_FOWNER",
        Capability.Fsetid => "CAP_FSETID",
        Capability.SysAdmin => "CAP_SYS_ADMIN",
        _ => $"capability {(int)Capability}",
    };

    /// <summary>The capabilities as a mask, bit N for capability N, as capget(2) and /proc/PID/status give them.</summary>
    public static ulong MaskOf(IEnumerable<CapabilityGrant> grants) =>
        grants.Aggregate(0UL, (mask, grant) => mask | (1UL << (int)grant.Capability));
}
