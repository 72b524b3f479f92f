namespace Gofer.Sentry.Tests.Differential;

/// <summary>One comparison: layers, a script, the xattr flavor, and how to rerun just this case.</summary>
/// <param name="Name">A random seed (<c>seed 17</c>) or a catalogue rule.</param>
/// <param name="Reproduce">The command line that reruns this case alone.</param>
public sealed record DifferentialCase(string Name, OverlayFlavor Flavor, LayerSetSpec Layers, IReadOnlyList<ScriptStep> Steps, string Reproduce)
{
    /// <summary>The script as `gofer exec` reads it: one JSON object per line.</summary>
    public string Input => string.Concat(Steps.Select(step => step.Line + "\n"));

    public override string ToString() => $"{Name} ({Flavor switch
    {
        OverlayFlavor.User => "userxattr",
        OverlayFlavor.TrustedRedirect => "trusted.overlay., redirect_dir=on",
        _ => "trusted.overlay.",
    }})";
}
