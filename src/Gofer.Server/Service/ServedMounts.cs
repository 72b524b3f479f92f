using System.Collections.Frozen;
using Gofer.Native;
using Gofer.Server.Spec;

namespace Gofer.Server.Service;

/// <summary>Every layer the gofer serves, by id, with the plan they came from.</summary>
public sealed class ServedMounts : IDisposable
{
    private readonly FrozenDictionary<int, ServedLayer> layers;

    private ServedMounts(MountPlan plan, FrozenDictionary<int, ServedLayer> layers)
    {
        Plan = plan;
        this.layers = layers;
    }

    public MountPlan Plan { get; }

    /// <summary>
    /// Opens every layer's root (a directory, or the file of a single-file bind). <paramref name="pathOf"/> says where a layer is reachable
    /// now: its staging path once the gofer has pivoted, its source path when served in-process.
    /// </summary>
    public static ServedMounts Open(MountPlan plan, Func<LayerPlan, string> pathOf)
    {
        var opened = new Dictionary<int, ServedLayer>();
        try
        {
            foreach (var mount in plan.Mounts)
            {
                foreach (var layer in mount.Layers)
                {
                    var path = pathOf(layer);

                    // O_PATH: the root is only a starting point for lookups; following a symlink
                    // here is harmless since the path was fixed by the gofer, not the client.
                    // A bind layer may be a single file (/etc/hosts and the like: every runtime
                    // binds some), which O_PATH opens without opening the file itself, so a
                    // device or socket bound there is never opened either; every other layer
                    // is a directory tree.
                    var directory = layer.Role.MayBeFile() ? 0 : Syscalls.O_DIRECTORY;
                    var fd = Syscalls.OpenPath(path, Syscalls.O_PATH | directory, 0, out var error)
                        ?? throw new ErrnoException(error, $"open layer {layer.Id} ({layer.Role})", path);
                    opened.Add(layer.Id, new ServedLayer(layer, mount, fd));
                }
            }
        }
        catch
        {
            foreach (var layer in opened.Values)
            {
                layer.Dispose();
            }

            throw;
        }

        return new ServedMounts(plan, opened.ToFrozenDictionary());
    }

    /// <summary>The layer with this id, or EINVAL naming it.</summary>
    public ServedLayer Layer(uint id) =>
        id <= int.MaxValue && layers.TryGetValue((int)id, out var layer)
            ? layer
            : throw new ErrnoException(Errno.EINVAL, "attach", $"layer {id}");

    public void Dispose()
    {
        foreach (var layer in layers.Values)
        {
            layer.Dispose();
        }
    }
}
