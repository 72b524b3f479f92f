using System.Text.Json.Nodes;
using Gofer.Native;
using Gofer.Protocol.V1;
using Gofer.Sentry.Launch;
using Google.Protobuf;

namespace Gofer.Server.Tests.EndToEnd;

/// <summary>
/// A gofer run as root of its own user namespace, as a rootless engine runs it: the flags of every
/// mount it inherits are locked, and staging must not try to change them.
/// </summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class RootlessStagingTests(PublishedGofer gofer)
{
    // In a private mount namespace: a noexec,noatime tmpfs holding the bind source, then the gofer
    // in a new user (and mount) namespace, where that tmpfs's flags are locked. Arguments: the
    // mount point, the binary, the bundle, the socket, then ReadyChild's "--ready-fd N".
    private const string Script = """
        set -e
        mount -t tmpfs -o noexec,noatime,nosuid,nodev tmpfs "$1"
        mkdir "$1/shared"
        echo locked > "$1/shared/f"
        exec unshare --user --map-root-user --mount "$2" serve --bundle "$3" --socket "$4" "$5" "$6"
        """;

    [Fact]
    public async Task A_bind_source_on_a_noexec_noatime_mount_is_staged_by_a_user_namespace_gofer()
    {
        using var bundle = new TempDirectory("gofer-rootless-");
        var locked = bundle.Make("locked");
        bundle.Make("rootfs");
        var config = new JsonObject
        {
            ["root"] = new JsonObject { ["path"] = "rootfs" },
            ["mounts"] = new JsonArray(new JsonObject
            {
                ["destination"] = "/shared",
                ["type"] = "bind",
                ["source"] = Path.Combine(locked, "shared"),
                ["options"] = new JsonArray("rbind", "rprivate"),
            }),
        };
        File.WriteAllText(bundle.Combine("config.json"), config.ToJsonString());
        var socket = bundle.Combine("gofer.sock");

        int exit;
        var child = await ReadyChild.StartAsync("unshare", ["--mount", "--propagation", "private", "sh", "-c", Script, "sh", locked, gofer.Binary, bundle.Path, socket]);
        try
        {
            Assert.True(child.Ready, child.Ready ? "" : await child.Stderr);
            using var channel = Sentry.Connection.GoferChannel.ForUnixSocket(socket);
            var client = new FileService.FileServiceClient(channel);
            var shared = (await client.ListMountsAsync(new ListMountsRequest())).Mounts.Single(m => m.Destination == "/shared");
            var root = await client.AttachAsync(new AttachRequest { Layer = shared.Layers[0].Id });
            var walk = await client.WalkAsync(new WalkRequest { Directory = root.Handle, Names = { ByteString.CopyFromUtf8("f") }, Handles = WalkHandles.Last });
            var open = await client.OpenAsync(new OpenRequest { Handle = walk.Entries[0].Handle });
            Assert.Equal("locked\n", (await client.ReadAsync(new ReadRequest { Handle = open.Handle, Length = 64 })).Data.ToStringUtf8());

            // Confined as a root gofer is, within its user namespace: no overlay, so no CAP_SYS_ADMIN.
            const ulong fileService = 0x1b; // CHOWN, DAC_OVERRIDE, FOWNER, FSETID
            foreach (var thread in ThreadPrivileges.OfEveryThread(child.Process.Id))
            {
                Assert.Equal((fileService, fileService, fileService, fileService, 1), (thread.Effective, thread.Permitted, thread.Bounding, thread.Ambient, thread.NoNewPrivs));
            }
        }
        finally
        {
            if (child.Ready)
            {
                ErrnoException.ThrowIfError(Syscalls.Kill(child.Process.Id, GoferServerProcess.Sigterm), "kill");
            }

            await child.Process.WaitForExitAsync();
            exit = child.Process.ExitCode;
            child.Process.Dispose();
        }

        Assert.Equal(0, exit);
    }
}
