using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gofer.Native;
using Gofer.Server.Spec;
using Microsoft.Extensions.Logging;

namespace Gofer.Server.Confinement;

/// <summary>
/// What the staging image tells the confined, serving image it execs: the plan it staged (each
/// layer at its staging path) and the descriptors it passes on by number. Carried in a sealed
/// memfd, read once and closed: the serving image needs no path to the host to learn it.
/// </summary>
/// <param name="Plan">The served plan, as staged.</param>
/// <param name="LogLevel">The --log-level asked for.</param>
/// <param name="ListenerFd">The listening socket (bound by the gofer, or the runtime's --listen-fd).</param>
/// <param name="ReadyFd">--ready-fd, written once serving.</param>
/// <param name="LifelineFd">--lifeline-fd, watched for the parent's end.</param>
/// <param name="KeeperFd">The write end of the socket keeper's pipe, held until the gofer ends (see <see cref="SocketKeeper"/>).</param>
public sealed record ImageHandoff(
    MountPlan Plan,
    LogLevel LogLevel,
    int ListenerFd,
    int? ReadyFd,
    int? LifelineFd,
    int? KeeperFd)
{
    /// <summary>
    /// The hidden option of <c>gofer serve</c> that makes it the serving image: it is exec'd with
    /// the command line it was started with plus this option, so that ps, and a runtime looking
    /// for its gofer, see the same command throughout.
    /// </summary>
    public const string DescriptorOption = "--handoff-fd";

    /// <summary>Every descriptor the serving image inherits, besides the handoff's own and stdio.</summary>
    [JsonIgnore]
    public IEnumerable<int> Inherited => new int?[] { ListenerFd, ReadyFd, LifelineFd, KeeperFd }.OfType<int>();

    /// <summary>Writes this handoff into a new sealed memfd (close-on-exec until the caller hands it on).</summary>
    public FileDescriptor WriteToMemoryFile()
    {
        var memory = Syscalls.MemoryFile("gofer-handoff");
        try
        {
            Syscalls.WriteAll(memory, JsonSerializer.SerializeToUtf8Bytes(this, ImageHandoffJson.Default.ImageHandoff));
            ErrnoException.ThrowIfError(Syscalls.SealAll(memory), "seal handoff");
            return memory;
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    /// <summary>The arguments that make a gofer binary started with <paramref name="serveArguments"/> the serving image of this handoff.</summary>
    public static IReadOnlyList<string> Arguments(IReadOnlyList<string> serveArguments, FileDescriptor handoff)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        return [.. serveArguments, DescriptorOption, handoff.Fd.ToString(CultureInfo.InvariantCulture)];
    }

    /// <summary>Reads the handoff at descriptor <paramref name="fd"/> and closes it.</summary>
    public static ImageHandoff Take(int fd)
    {
        using var descriptor = new FileDescriptor(fd);
        var bytes = Syscalls.ReadAllFrom(descriptor);
        return JsonSerializer.Deserialize(bytes, ImageHandoffJson.Default.ImageHandoff)
            ?? throw new InvalidDataException($"descriptor {fd} holds no handoff");
    }
}

/// <summary>Source-generated (NativeAOT needs no reflection) serializer of the handoff.</summary>
[JsonSerializable(typeof(ImageHandoff))]
internal sealed partial class ImageHandoffJson : JsonSerializerContext
{
}
