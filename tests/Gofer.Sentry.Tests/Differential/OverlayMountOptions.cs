using Gofer.Server.Spec;

namespace Gofer.Sentry.Tests.Differential;

/// <summary>The overlay option string, one for both sides: the kernel's mount and the gofer's bundle get the same text.</summary>
public static class OverlayMountOptions
{
    /// <summary>
    /// Pinned so results do not depend on how the machine's overlay module was configured; they
    /// are also the only values the gofer implements (no inode index, full copy-up).
    /// </summary>
    public const string Pinned = "index=off,metacopy=off";

    public static string Format(LayerSet layers)
    {
        var options = new List<string> { "lowerdir=" + string.Join(':', layers.LowerDirs.Select(OptionEscapes.Escape)) };
        if (layers.UpperDir is { } upper)
        {
            options.Add("upperdir=" + OptionEscapes.Escape(upper));
            options.Add("workdir=" + OptionEscapes.Escape(layers.WorkDir!));
        }

        options.Add(Pinned);

        // Always given, so neither side's default decides. With "off" and "nofollow" no redirects are
        // made (renaming a lower directory is EXDEV). With userxattr the kernel refuses "off"
        // ("conflicting options: userxattr,redirect_dir=follow": off means follow while the
        // module's redirect_always_follow is set) and accepts only nofollow, its own choice there.
        options.Add(layers.Flavor switch
        {
            OverlayFlavor.User => "redirect_dir=nofollow,userxattr",
            OverlayFlavor.TrustedRedirect => "redirect_dir=on",
            _ => "redirect_dir=off",
        });

        return string.Join(',', options);
    }
}
