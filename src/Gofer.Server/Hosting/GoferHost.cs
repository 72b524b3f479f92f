using Gofer.Native;
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

    /// <param name="budget">The descriptors handles may take; by default from this process's RLIMIT_NOFILE (<see cref="DescriptorBudget.FromProcessLimit"/>).</param>
    public static WebApplication Build(ServedMounts mounts, UnixListener listener, LogLevel logLevel, DescriptorBudget? budget = null)
    {
        // A gofer's modes must be exact: the client (the container's kernel view, the sentry) has
        // already applied the container's own umask to every mode it sends. A second, host-side
        // umask would silently strip bits (0777 arriving as 0755). The umask is process-wide, so it
        // is set once here, before anything is served, and nothing else in the gofer changes it.
        Syscalls.Umask(0);
        // No configuration reload: it would watch the content root — the staging root, every layer
        // below it — with a recursive inotify watcher that stats each file it finds.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        ConsoleLogging.Configure(builder.Logging, logLevel);

        var connections = new ConnectionRegistry(budget ?? DescriptorBudget.FromProcessLimit());
        builder.Services.AddSingleton(mounts);
        builder.Services.AddSingleton(connections);
        var operations = new FileOperations(mounts);
        builder.Services.AddSingleton(operations);
        builder.Services.AddSingleton<HealthServiceImpl>();
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = FileOperations.MaxTransfer + (64 << 10);
            o.MaxSendMessageSize = null;
        });
        builder.Services.AddGrpcReflection();
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
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
                        if (await FramedSessionConnection.IsRequestedAsync(connection.Transport.Input).ConfigureAwait(false))
                        {
                            var dispatcher = new SessionDispatcher(operations, connections.Get(connection.ConnectionId));
                            await FramedSessionConnection.ServeAsync(connection, dispatcher, logger).ConfigureAwait(false);
                        }
                        else
                        {
                            await next(connection).ConfigureAwait(false);
                        }
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
        app.Lifetime.ApplicationStopped.Register(connections.Dispose);
        return app;
    }
}
