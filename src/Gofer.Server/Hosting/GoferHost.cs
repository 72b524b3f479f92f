using Gofer.Native;
using Gofer.Protocol.Framing;
using Gofer.Server.Service;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gofer.Server.Hosting;

/// <summary>Builds the gRPC server of a gofer: Kestrel on an already-listening Unix socket, HTTP/2 only.</summary>
public static class GoferHost
{
    /// <summary>The service name health checks report for the file service.</summary>
    public const string ServiceName = "gofer.v1.FileService";

    /// <param name="budget">The descriptors handles and connections may take; by default from this process's RLIMIT_NOFILE (<see cref="DescriptorBudget.FromProcessLimit"/>).</param>
    /// <param name="deadlines">How long a connection may stay silent; by default <see cref="ConnectionDeadlines.Default"/>.</param>
    public static WebApplication Build(ServedMounts mounts, UnixListener listener, LogLevel logLevel, DescriptorBudget? budget = null, ConnectionDeadlines? deadlines = null)
    {
        budget ??= DescriptorBudget.FromProcessLimit();
        deadlines ??= ConnectionDeadlines.Default;
        // A gofer's modes must be exact: the client (the container's kernel view, the sentry) has
        // already applied the container's own umask to every mode it sends. A second, host-side
        // umask would silently strip bits (0777 arriving as 0755). The umask is process-wide, so it
        // is set once here, before anything is served, and nothing else in the gofer changes it.
        Syscalls.Umask(0);
        // No configuration reload: it would watch the content root — the staging root, every layer
        // below it — with a recursive inotify watcher that stats each file it finds.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        ConsoleLogging.Configure(builder.Logging, logLevel);

        var connections = new ConnectionRegistry(budget);
        builder.Services.AddSingleton(mounts);
        builder.Services.AddSingleton(connections);
        var operations = new FileOperations(mounts);
        builder.Services.AddSingleton(operations);
        builder.Services.AddSingleton<HealthServiceImpl>();
        builder.Services.AddGrpc(o =>
        {
            // One message is at most one transfer (4 MiB) and its envelope, either way: a client
            // cannot make the gofer buffer a larger request, nor ask for a larger answer.
            o.MaxReceiveMessageSize = SessionFraming.MaxMessageSize;
            o.MaxSendMessageSize = SessionFraming.MaxMessageSize;
        });
        builder.Services.AddGrpcReflection();
        builder.WebHost.UseSockets(sockets =>
        {
            // Requests run on the socket's event thread: the fast path. Anything that may block
            // for long is moved off it (LongOperations), so no connection waits behind another.
            sockets.UnsafePreferInlineScheduling = true;

            // What the transport buffers per connection each way before it stops reading the
            // client (input) or makes the session wait (output): Kestrel's defaults, stated
            // because the framed session's memory bound rests on them.
            sockets.MaxReadBufferSize = 1 << 20;
            sockets.MaxWriteBufferSize = 1 << 20;
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            var limits = kestrel.Limits;

            // Each connection is a descriptor counted in the budget: past the bound Kestrel accepts
            // a new one and closes it at once, so the backlog never fills with clients left
            // waiting and accept(2) never meets a full descriptor table.
            limits.MaxConcurrentConnections = budget.Connections;
            limits.MaxConcurrentUpgradedConnections = 0;

            // An HTTP/2 connection with no stream open is closed after the idle deadline; one
            // that has said nothing complete, after the preface deadline (headers included).
            limits.KeepAliveTimeout = deadlines.Idle;
            limits.RequestHeadersTimeout = deadlines.Preface;

            // gRPC lifts the body limit of its requests and bounds messages itself (above); this
            // bounds anything else that reaches Kestrel.
            limits.MaxRequestBodySize = SessionFraming.MaxMessageSize;

            // Calls in flight per HTTP/2 connection (default 100): each may hold an answer of up to
            // 4 MiB while its client does not read, so 8 bound that to 32 MiB per connection.
            limits.Http2.MaxStreamsPerConnection = 8;

            // What a client may send ahead of the gofer's reading: Kestrel's defaults (1 MiB per
            // connection, 768 KiB per stream), stated because the memory bound rests on them.
            limits.Http2.InitialConnectionWindowSize = 1 << 20;
            limits.Http2.InitialStreamWindowSize = 768 << 10;
            var logger = kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Gofer.FramedSession");
            kestrel.ListenHandle((ulong)listener.Socket.Handle, listen =>
            {
                // HTTP/2 only: with Http1AndHttp2 on a plaintext socket the .NET client cannot negotiate.
                listen.Protocols = HttpProtocols.Http2;
                listen.Use(next => async connection =>
                {
                    // Handles belong to one connection: its table lives exactly as long as it does.
                    connections.Open(connection.ConnectionId);
                    try
                    {
                        switch (await FramedSessionConnection.ReadOpeningAsync(connection.Transport.Input, deadlines.Preface).ConfigureAwait(false))
                        {
                            case FramedSessionConnection.Opening.Session:
                                var table = connections.Get(connection.ConnectionId);
                                var dispatcher = new SessionDispatcher(operations, table);
                                await FramedSessionConnection.ServeAsync(connection, dispatcher, table, deadlines.Idle, logger).ConfigureAwait(false);
                                break;
                            case FramedSessionConnection.Opening.Other:
                                await next(connection).ConfigureAwait(false);
                                break;
                            default:
                                // Silent past the preface deadline, or gone: closed when this returns.
                                break;
                        }
                    }
                    catch (IOException)
                    {
                        // The client reset the connection (before its preface, or under HTTP/2):
                        // its own business, and Kestrel has said so in one debug line already.
                    }
                    finally
                    {
                        connections.Close(connection.ConnectionId);
                    }
                });
            });
        });

        var app = builder.Build();
        app.MapGrpcService<FileService>();
        app.MapGrpcService<HealthServiceImpl>();
        app.MapGrpcReflectionService();
        var health = app.Services.GetRequiredService<HealthServiceImpl>();
        health.SetStatus("", Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving);
        health.SetStatus(ServiceName, Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving);
        var trimmer = new MemoryTrimmer(connections);
        app.Lifetime.ApplicationStopped.Register(trimmer.Dispose);
        app.Lifetime.ApplicationStopped.Register(connections.Dispose);
        return app;
    }
}
