namespace Gofer.Server.Spec;

/// <summary>What a served mount is made of.</summary>
public enum MountKind
{
    /// <summary>The container's root filesystem (<c>root.path</c>): one layer.</summary>
    Rootfs,

    /// <summary>A bind mount (<c>"type": "bind"</c>, or <c>bind</c>/<c>rbind</c> in its options): one layer.</summary>
    Bind,

    /// <summary>An overlay (<c>"type": "overlay"</c>): lowers, and optionally an upper and a work directory.</summary>
    Overlay,
}
