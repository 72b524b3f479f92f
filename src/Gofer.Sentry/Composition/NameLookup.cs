namespace Gofer.Sentry.Composition;

/// <summary>
/// The state of one name's lookup down the layers, as the kernel's ovl_lookup keeps it: the name
/// being looked for (the view's name until a redirect replaces it), and what the layers above said.
/// </summary>
public sealed class NameLookup(string name, string path)
{
    private readonly List<string> components = [name];

    /// <summary>The name to look for: one component in the parent's lower directories, or, when <see cref="Absolute"/>, a path from a lower layer's root.</summary>
    public IReadOnlyList<string> Components => components;

    public bool Absolute { get; private set; }

    /// <summary>How often a redirect changed the name: what layers were asked before that answered another question.</summary>
    public int Changes { get; private set; }

    /// <summary>The layers below add nothing: a whiteout, an opaque directory or a non-directory was met.</summary>
    public bool Stop { get; set; }

    /// <summary>A directory was found, so a non-directory below it ends the search without showing.</summary>
    public bool IsDirectory { get; set; }

    /// <summary>This layer is the last that counts: its opaque and redirect markers are not read.</summary>
    public bool Last { get; set; }

    /// <summary>A redirect was met: with nofollow, consulting another layer is refused.</summary>
    public bool NextRedirect { get; set; }

    /// <summary>Some redirect was met (the name may have changed).</summary>
    public bool Redirected => Changes > 0;

    /// <summary>
    /// Applies the redirect found on the component at <paramref name="index"/> of a walk of
    /// <paramref name="count"/> components: a relative one replaces that component, an absolute
    /// one replaces everything up to it and lets the search go on past an opaque directory above.
    /// </summary>
    public void Redirect(string value, int index, int count)
    {
        var (absolute, redirect) = RedirectPath.Parse(value, path);
        var position = components.Count - (count - index);
        var after = components.Skip(position + 1).ToList();
        if (absolute)
        {
            components.Clear();
            components.AddRange(redirect);
            Absolute = true;
            Stop = false;
        }
        else
        {
            components.RemoveRange(position, components.Count - position);
            components.AddRange(redirect);
        }

        components.AddRange(after);
        Changes++;
    }
}
