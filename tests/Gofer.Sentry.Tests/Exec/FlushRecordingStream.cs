using System.Text;

namespace Gofer.Sentry.Tests.Exec;

/// <summary>A stream that records, at each flush, what had been written since the previous one.</summary>
public sealed class FlushRecordingStream : MemoryStream
{
    private long flushedUpTo;

    public List<string> Flushed { get; } = [];

    public override void Flush()
    {
        Flushed.Add(Encoding.UTF8.GetString(GetBuffer(), (int)flushedUpTo, (int)(Length - flushedUpTo)));
        flushedUpTo = Length;
    }
}
