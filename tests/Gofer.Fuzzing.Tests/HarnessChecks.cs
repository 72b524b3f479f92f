using System.Buffers;
using Gofer.Fuzzing.Fuse;
using Gofer.Fuzzing.Session;
using Gofer.Protocol.Framing;
using Gofer.Protocol.V1;

namespace Gofer.Fuzzing.Tests;

/// <summary>The harnesses see what they claim to: a session's answers, a FUSE reply's shape.</summary>
public class HarnessChecks
{
    [Fact]
    public void A_valid_session_passes_and_its_answers_are_recorded()
    {
        using var target = new SessionTarget();
        var writer = new ArrayBufferWriter<byte>();
        SessionFraming.Write(writer, new SessionRequest { Tag = 1, Attach = new AttachRequest { Layer = Layers.FuzzLayers.UpperId } });
        SessionFraming.Write(writer, new SessionRequest { Tag = 2, Stat = new StatRequest { Handle = 1 } });

        target.Run(writer.WrittenSpan);

        Assert.Contains("< { \"tag\": \"2\", \"stat\"", target.LastExchange, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fuse_message_that_is_not_a_request_draws_no_reply_and_a_real_one_draws_one()
    {
        using var target = new FuseTarget();
        var statfs = new byte[40];
        BitConverter.TryWriteBytes(statfs.AsSpan(0), 40u);
        BitConverter.TryWriteBytes(statfs.AsSpan(4), 17u); // STATFS
        BitConverter.TryWriteBytes(statfs.AsSpan(8), 7UL);
        BitConverter.TryWriteBytes(statfs.AsSpan(16), 1UL);

        target.Run(FuseInput.Join([[1, 2, 3], statfs]));
    }
}
