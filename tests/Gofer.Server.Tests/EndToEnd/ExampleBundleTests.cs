using Gofer.Protocol.V1;
using Gofer.Sentry.Launch;
using Google.Protobuf;

namespace Gofer.Server.Tests.EndToEnd;

/// <summary>The example bundle the README serves works as the README says (on a copy, so the checkout stays clean).</summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class ExampleBundleTests(PublishedGofer gofer)
{
    [Fact]
    public async Task The_readme_example_bundle_checks_clean_and_serves()
    {
        using var copy = new TempDirectory("gofer-example-");
        Tool.Check("cp", "-a", Path.Combine(PublishedGofer.Repository, "tests", "bundles", "example", "."), copy.Path);
        copy.Make("scratch", "upper");
        copy.Make("scratch", "work");

        var (exit, plan, _) = Tool.Run(gofer.Binary, "check", "--bundle", copy.Path);
        Assert.Equal(0, exit);
        Assert.Contains("problems: none", plan, StringComparison.Ordinal);
        Assert.Contains("app:v2\" at /m1/lower0 ro", plan, StringComparison.Ordinal);

        await using var process = await GoferServerProcess.StartAsync(gofer.Binary, copy.Path, copy.Combine("gofer.sock"));
        var client = new FileService.FileServiceClient(process.Connect());
        var app = (await client.ListMountsAsync(new ListMountsRequest())).Mounts.Single(m => m.Destination == "/app");
        var top = await client.AttachAsync(new AttachRequest { Layer = app.Layers[0].Id });
        var walk = await client.WalkAsync(new WalkRequest { Directory = top.Handle, Names = { ByteString.CopyFromUtf8("app"), ByteString.CopyFromUtf8("VERSION") } });
        var open = await client.OpenAsync(new OpenRequest { Handle = walk.Entries[^1].Handle });
        Assert.Equal("version 2\n", (await client.ReadAsync(new ReadRequest { Handle = open.Handle, Length = 64 })).Data.ToStringUtf8());
    }
}
