using System.Net.Sockets;
using Gofer.Native;
using Gofer.Sentry.Launch;
using Grpc.Health.V1;
using Grpc.Reflection.V1;

namespace Gofer.Server.Tests.EndToEnd;

/// <summary>What generic gRPC tools see: health, and reflection in both its versions; and a socket handed over by the runtime.</summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class DiscoveryTests(PublishedGofer gofer)
{
    [Fact]
    public async Task Health_reports_the_file_service_serving()
    {
        using var bundle = new OverlayBundle();
        await using var process = await GoferServerProcess.StartAsync(gofer.Binary, bundle.Path, bundle.Directory.Combine("gofer.sock"));
        var health = new Health.HealthClient(process.Connect());
        foreach (var service in new[] { "", "gofer.v1.FileService" })
        {
            var answer = await health.CheckAsync(new HealthCheckRequest { Service = service });
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, answer.Status);
        }
    }

    [Fact]
    public async Task Reflection_v1_and_v1alpha_list_the_services()
    {
        using var bundle = new OverlayBundle();
        await using var process = await GoferServerProcess.StartAsync(gofer.Binary, bundle.Path, bundle.Directory.Combine("gofer.sock"));
        var channel = process.Connect();

        var v1 = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo();
        await v1.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        Assert.True(await v1.ResponseStream.MoveNext(CancellationToken.None));
        var names = v1.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("gofer.v1.FileService", names);
        Assert.Contains("grpc.health.v1.Health", names);
        await v1.RequestStream.CompleteAsync();

        var alpha = new Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo();
        await alpha.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { FileContainingSymbol = "gofer.v1.FileService" });
        Assert.True(await alpha.ResponseStream.MoveNext(CancellationToken.None));
        Assert.NotEmpty(alpha.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto);
        await alpha.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task Serves_a_socket_the_runtime_bound_and_leaves_its_file_alone()
    {
        using var bundle = new OverlayBundle();
        var path = bundle.Directory.Combine("runtime.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        var fd = (int)listener.Handle;
        Assert.Equal(0, Syscalls.Inherit(fd));

        await using var process = await GoferServerProcess.StartAsync(gofer.Binary, bundle.Path, path, listenFd: fd);
        var health = new Health.HealthClient(process.Connect());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);

        Assert.Equal(0, (await process.TerminateAsync()).ExitCode);
        Assert.True(File.Exists(path), "the runtime's socket file is the runtime's to remove");
    }
}
