namespace Gofer.Server.Spec;

/// <summary>The part a layer plays in its mount.</summary>
public enum LayerRole
{
    /// <summary>The rootfs of the container.</summary>
    Root,

    /// <summary>The source of a bind mount.</summary>
    Bind,

    /// <summary>An overlay <c>lowerdir</c>: always read-only.</summary>
    Lower,

    /// <summary>The overlay <c>upperdir</c>.</summary>
    Upper,

    /// <summary>The overlay <c>workdir</c>.</summary>
    Work,
}
