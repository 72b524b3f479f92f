namespace Gofer.Server.Hosting;

/// <summary>
/// How long a connection may sit without doing its part. Each open connection is a descriptor
/// and memory: without deadlines, 12,000 connections that never sent a preface (or half of one)
/// stayed open indefinitely and held 227 MB.
/// </summary>
/// <param name="Preface">
/// From accept to the end of the first bytes that say which protocol the client speaks (the
/// framed session's preface, or HTTP/2's 24-byte connection preface). A real client sends them
/// with its connect; 10 s allows for a loaded host.
/// </param>
/// <param name="Idle">
/// How long a connection may go without a complete request while it holds no handles. A
/// connection holding handles is kept however long it idles: its handles are the client's state
/// (a sentry's open files and cached lookups), and dropping them would fail the container's
/// files under it; such a connection is still bounded by the connection limit and its handle
/// share. HTTP/2 connections get Kestrel's keep-alive timeout of the same length, which closes
/// them when no stream is open (gRPC clients keep a Session stream open to hold handles).
/// </param>
public sealed record ConnectionDeadlines(TimeSpan Preface, TimeSpan Idle)
{
    public static ConnectionDeadlines Default { get; } = new(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60));
}
