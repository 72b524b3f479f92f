namespace Gofer.Sentry.Composition;

/// <summary>
/// How one served mount is composed. A rootfs or bind mount is the degenerate case: one layer,
/// upper when writable and lower when not, and no overlay markers (a character device 0/0 or an
/// "opaque" xattr there is just a file and an xattr).
/// </summary>
/// <param name="UpperLayer">The gofer's layer id of the upper directory, or null (read-only).</param>
/// <param name="LowerLayers">Lower layer ids, topmost first.</param>
/// <param name="XattrPrefix">The overlay's private xattr prefix, or null when markers mean nothing.</param>
/// <param name="Redirects">What directory redirects do (meaningless without markers).</param>
public sealed record OverlayLayout(uint? UpperLayer, IReadOnlyList<uint> LowerLayers, string? XattrPrefix, RedirectMode Redirects = RedirectMode.NoFollow)
{
    public bool HasMarkers => XattrPrefix is not null;

    public string? OpaqueXattr => XattrPrefix is null ? null : XattrPrefix + "opaque";

    public string? RedirectXattr => XattrPrefix is null ? null : XattrPrefix + "redirect";

    public bool FollowsRedirects => HasMarkers && Redirects != RedirectMode.NoFollow;

    public bool CreatesRedirects => HasMarkers && Redirects == RedirectMode.Create;
}
