using System.Buffers.Binary;
using System.Net.Sockets;
using Gofer.Fuse.Mounting;
using Gofer.Fuse.Operations;
using Gofer.Fuse.Protocol;
using Gofer.Fuzzing.Layers;
using Gofer.Native;
using Gofer.Sentry.Composition;
using Gofer.Server.Hosting;
using Gofer.Server.Service;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Gofer.Fuzzing.Fuse;

/// <summary>
/// The mount front in process: its <see cref="FuseServer"/> (request parsing and dispatch) over
/// the real sentry composing the overlay of a real gofer (served in this process on a Unix
/// socket, over <see cref="FuzzLayers"/>). In place of /dev/fuse the server reads one end of a
/// SOCK_SEQPACKET socket pair; the harness plays the kernel on the other end. An input is a
/// sequence of kernel messages, each preceded by its length as a varint (see <see cref="FuseInput"/>).
/// </summary>
/// <remarks>
/// After each message the harness sends a marker request (an opcode the server does not know,
/// answered ENOSYS at once) and reads up to its answer, so it knows exactly what the message
/// drew: one reply with the message's unique (none for FORGET, BATCH_FORGET, INTERRUPT,
/// NOTIFY_REPLY or a message shorter than a header), each reply's header length equal to what
/// was received, an error only as a bare header with a real errno, a READ, READDIR or xattr
/// answer no larger than the kernel's buffer. After the input: the loop ended when the "kernel"
/// hung up, no request failed unexpectedly (the loop's catch-all, which answers EIO and logs),
/// every descriptor the session took (the sentry's connection, the gofer's handles for it) is
/// released, and the read-only layers are unchanged.
/// </remarks>
public sealed class FuseTarget : IDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Unique of the marker requests (never one an input's generator uses).</summary>
    public const ulong MarkerUnique = 0xF00D_0000_0000_0000;

    private const uint MarkerOpcode = 4242;
    private const int HeaderSize = 40;
    private const int OutHeaderSize = 16;

    private readonly FuzzLayers layers;
    private readonly ServedMounts mounts;
    private readonly UnixListener listener;
    private readonly WebApplication gofer;
    private readonly string socketPath;
    private readonly StringWriter serverLog = new();
    private readonly TextWriter standardError = Console.Error;

    public FuseTarget()
    {
        layers = new FuzzLayers();
        mounts = ServedMounts.Open(layers.Plan, layer => layer.SourcePath);
        socketPath = Path.Combine(layers.Root, "gofer.sock");
        listener = UnixListener.Bind(socketPath);
        gofer = GoferHost.Build(mounts, listener, LogLevel.Critical);
        gofer.StartAsync().GetAwaiter().GetResult();

        // FuseServer reports a request that failed unexpectedly on standard error: that is a finding here.
        Console.SetError(TextWriter.Synchronized(serverLog));
    }

    /// <summary>Runs one input; throws <see cref="FindingException"/> when it broke a rule.</summary>
    public void Run(ReadOnlySpan<byte> input)
    {
        layers.Reset();
        var messages = FuseInput.Split(input);
        var before = OpenDescriptors.Count();
        serverLog.GetStringBuilder().Clear();

        var fs = SentryMounts.Open(socketPath, "/data");
        var (kernel, device) = ConnectionPair();
        Exception? serverFailure = null;
        FuseServer? server = null;
        var loop = new Thread(() =>
        {
            try
            {
                server = new FuseServer(device, fs, maxNodes: 64);
                server.Run();
            }
#pragma warning disable CA1031 // Whatever escapes the loop is the finding; it is rethrown on the harness's thread.
            catch (Exception e)
#pragma warning restore CA1031
            {
                serverFailure = e;
            }
        })
        { IsBackground = true, Name = "fuzzed fuse loop" };
        loop.Start();

        try
        {
            var marker = 0UL;
            foreach (var message in messages)
            {
                Exchange(kernel, message, MarkerUnique + ++marker, () => serverFailure);
            }
        }
        finally
        {
            kernel.Dispose();
            if (loop.Join(Deadline))
            {
                server?.Dispose();
                device.Dispose();
                fs.Dispose();
            }
        }

        if (loop.IsAlive)
        {
            throw new FindingException(FindingKind.Hang, "the FUSE loop did not end when its connection closed");
        }

        if (serverFailure is not null)
        {
            throw new FindingException(FindingKind.UnhandledException, $"the FUSE loop ended: {serverFailure.GetType().Name}: {serverFailure.Message}", serverFailure);
        }

        var log = serverLog.ToString();
        if (log.Contains("failed unexpectedly", StringComparison.Ordinal))
        {
            throw new FindingException(FindingKind.UnhandledException, log.Split('\n').Take(6).Aggregate((a, b) => a + "\n" + b));
        }

        // The gofer notices the sentry's closed connection on its own thread.
        OpenDescriptors.Settle(before, TimeSpan.FromSeconds(10), "fuse session");
        layers.CheckGuarded();
    }

    /// <summary>Sends one message and a marker, and checks what came back up to the marker's answer.</summary>
    private static void Exchange(Socket kernel, byte[] message, ulong markerUnique, Func<Exception?> serverFailure)
    {
        Send(kernel, message);
        Send(kernel, Marker(markerUnique));

        var expected = Expectation.Of(message);
        var replies = 0;
        var buffer = new byte[FuseServer.MaxWrite + 8192];
        while (true)
        {
            int length;
            try
            {
                length = kernel.Receive(buffer);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                throw serverFailure() is { } failure
                    ? new FindingException(FindingKind.UnhandledException, $"the FUSE loop ended: {failure.GetType().Name}: {failure.Message}", failure)
                    : new FindingException(FindingKind.Hang, $"no answer within {Deadline.TotalSeconds} s to {expected.Describe()}");
            }

            var reply = buffer.AsSpan(0, length);
            if (length < OutHeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(reply) != length)
            {
                throw new FindingException(FindingKind.MalformedReply, $"a reply of {length} bytes whose header says {(length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(reply) : 0)} (to {expected.Describe()})");
            }

            var error = BinaryPrimitives.ReadInt32LittleEndian(reply[4..]);
            var unique = BinaryPrimitives.ReadUInt64LittleEndian(reply[8..]);
            if (unique == markerUnique)
            {
                break;
            }

            if (unique == 0 && !(expected.Answered && expected.Unique == 0))
            {
                // A notification: its code where the error would be.
                if (error <= 0)
                {
                    throw new FindingException(FindingKind.MalformedReply, $"a notification with code {error} (after {expected.Describe()})");
                }

                continue;
            }

            if (!expected.Answered || unique != expected.Unique || ++replies > 1)
            {
                throw new FindingException(FindingKind.MalformedReply, $"an unexpected reply (unique {unique:x}, error {error}) to {expected.Describe()}");
            }

            if (error > 0 || error < -4095 || (error < 0 && length != OutHeaderSize))
            {
                throw new FindingException(FindingKind.MalformedReply, $"a reply with error {error} and {length} bytes to {expected.Describe()}");
            }

            if (error == 0 && expected.MaxPayload is { } most && length - OutHeaderSize > most)
            {
                throw new FindingException(FindingKind.MalformedReply, $"a reply of {length - OutHeaderSize} bytes to {expected.Describe()}, which asked for at most {most}");
            }
        }

        if (expected.Answered && replies == 0)
        {
            throw new FindingException(FindingKind.MalformedReply, $"no reply to {expected.Describe()}");
        }
    }

    private static void Send(Socket kernel, byte[] message)
    {
        try
        {
            kernel.Send(message);
        }
        catch (SocketException e)
        {
            throw new FindingException(FindingKind.UnhandledException, $"the FUSE loop stopped reading: {e.SocketErrorCode}");
        }
    }

    private static byte[] Marker(ulong unique)
    {
        var marker = new byte[HeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(marker, HeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(marker.AsSpan(4), MarkerOpcode);
        BinaryPrimitives.WriteUInt64LittleEndian(marker.AsSpan(8), unique);
        BinaryPrimitives.WriteUInt64LittleEndian(marker.AsSpan(16), 1);
        return marker;
    }

    /// <summary>
    /// A connected SOCK_SEQPACKET pair: the harness's end as a socket (for its receive deadline),
    /// the server's as the descriptor a <see cref="FuseDevice"/> owns.
    /// </summary>
    private static (Socket Kernel, FuseDevice Device) ConnectionPair()
    {
        var (kernelEnd, serverEnd) = Syscalls.SeqPacketPair();
        var handle = kernelEnd.DangerousGetHandle();
        kernelEnd.SetHandleAsInvalid();
        var kernel = new Socket(new SafeSocketHandle(handle, ownsHandle: true))
        {
            ReceiveTimeout = (int)Deadline.TotalMilliseconds,
            SendTimeout = (int)Deadline.TotalMilliseconds,
        };
        return (kernel, FuseDevice.Over(serverEnd));
    }

    public void Dispose()
    {
        Console.SetError(standardError);
        gofer.StopAsync().GetAwaiter().GetResult();
        gofer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        listener.Dispose();
        mounts.Dispose();
        layers.Dispose();
    }

    /// <summary>What one message should draw from the server.</summary>
    private readonly record struct Expectation(bool Answered, ulong Unique, uint Opcode, int? MaxPayload, int Length)
    {
        public static Expectation Of(byte[] message)
        {
            if (message.Length < HeaderSize)
            {
                return new Expectation(false, 0, 0, null, message.Length);
            }

            var opcode = BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(4));
            var unique = BinaryPrimitives.ReadUInt64LittleEndian(message.AsSpan(8));
            var oneWay = (FuseOpcode)opcode is FuseOpcode.Forget or FuseOpcode.BatchForget or FuseOpcode.Interrupt or FuseOpcode.NotifyReply;

            // The size the kernel's buffer has: READ and READDIR carry it in fuse_read_in.size
            // (offset 16 of the arguments), GETXATTR and LISTXATTR in fuse_getxattr_in.size
            // (offset 0), where 0 asks for the size alone (a fuse_getxattr_out of 8 bytes).
            int? most = (FuseOpcode)opcode switch
            {
                FuseOpcode.Read or FuseOpcode.ReadDir when message.Length >= HeaderSize + 20 => Clamp(BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(HeaderSize + 16))),
                FuseOpcode.GetXattr or FuseOpcode.ListXattr when message.Length >= HeaderSize + 4 => BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(HeaderSize)) is var size && size == 0 ? 8 : Clamp(size),
                _ => null,
            };
            return new Expectation(!oneWay, unique, opcode, most, message.Length);
        }

        private static int Clamp(uint size) => (int)Math.Min(size, int.MaxValue);

        public string Describe() => Opcode == 0 && !Answered ? $"a {Length}-byte message" : $"{(FuseOpcode)Opcode} (unique {Unique:x}, {Length} bytes)";
    }
}
