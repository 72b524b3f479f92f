using System.Net.Sockets;

namespace Gofer.Server.Tests.EndToEnd;

/// <summary>
/// serve, check and exec driven into their failures, as the published binary: each says in one
/// line what failed and why (the errno and the path or operation), with the README's status.
/// </summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class FailureTests(PublishedGofer gofer)
{
    private const int SpecRefused = 1;
    private const int WrongCommandLine = 2;
    private const int Failed = 3;

    [Theory]
    [InlineData("--ready-fd", "abc", "--ready-fd takes a descriptor number")]
    [InlineData("--ready-fd", "99999999999", "--ready-fd takes a descriptor number")]
    [InlineData("--listen-fd", "-1", "--listen-fd takes a descriptor number")]
    [InlineData("--log-level", "Loud", "Loud")]
    [InlineData("--socket", "", "--socket needs a path")]
    public void A_bad_value_is_a_wrong_command_line_in_one_line(string option, string value, string named)
    {
        using var bundle = new OverlayBundle();
        string[] socket = option is "--socket" or "--listen-fd" ? [] : ["--socket", bundle.Directory.Combine("gofer.sock")];
        var run = Tool.Run(gofer.Binary, ["serve", "--bundle", bundle.Path, .. socket, option, value]);
        OneLineFailure.Check(run, WrongCommandLine, named, "see gofer --help");
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("mount")]
    [InlineData("serve", "--bundle")]
    public void An_unknown_or_incomplete_command_is_one_line(params string[] arguments)
    {
        OneLineFailure.Check(Tool.Run(gofer.Binary, arguments), WrongCommandLine, "see gofer --help");
    }

    [Fact]
    public void Serve_without_CAP_SYS_ADMIN_names_unshare_and_EPERM()
    {
        using var bundle = new OverlayBundle();
        var run = Tool.Run("setpriv", "--bounding-set=-sys_admin", "--", gofer.Binary, "serve", "--bundle", bundle.Path, "--socket", bundle.Directory.Combine("gofer.sock"));
        OneLineFailure.Check(run, Failed, "gofer serve:", "unshare(CLONE_NEWNS|CLONE_NEWIPC|CLONE_NEWNET)", "EPERM");
    }

    [Fact]
    public void Serve_as_an_unprivileged_user_names_unshare_and_EPERM()
    {
        using var bundle = new OverlayBundle();
        var run = Tool.Run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", gofer.Binary, "serve", "--bundle", bundle.Path, "--socket", "/tmp/gofer-unprivileged.sock");
        OneLineFailure.Check(run, Failed, "unshare(CLONE_NEWNS|CLONE_NEWIPC|CLONE_NEWNET)", "EPERM");
    }

    [Fact]
    public void Serve_with_a_socket_in_a_missing_directory_names_it_and_ENOENT()
    {
        using var bundle = new OverlayBundle();
        var socket = bundle.Directory.Combine("missing", "gofer.sock");
        var run = Tool.Run(gofer.Binary, "serve", "--bundle", bundle.Path, "--socket", socket);
        OneLineFailure.Check(run, Failed, "binding the socket", bundle.Directory.Combine("missing"), "ENOENT");
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public void Serve_with_a_socket_path_too_long_for_sun_path_names_ENAMETOOLONG()
    {
        using var bundle = new OverlayBundle();
        var socket = bundle.Directory.Combine(new string('s', 120));
        var run = Tool.Run(gofer.Binary, "serve", "--bundle", bundle.Path, "--socket", socket);
        OneLineFailure.Check(run, Failed, socket, "ENAMETOOLONG");
    }

    [Fact]
    public void Serve_with_a_listen_fd_that_is_not_a_socket_names_it()
    {
        using var bundle = new OverlayBundle();

        // Descriptor 1 is stdout, a pipe here.
        var run = Tool.Run(gofer.Binary, "serve", "--bundle", bundle.Path, "--listen-fd", "1");
        OneLineFailure.Check(run, Failed, "--listen-fd 1");
    }

    [Fact]
    public void Serve_on_a_bundle_that_vanished_is_refused_in_one_line()
    {
        string path;
        using (var bundle = new OverlayBundle())
        {
            path = bundle.Path;
        }

        var run = Tool.Run(gofer.Binary, "serve", "--bundle", path, "--socket", "/tmp/gofer-vanished.sock");
        OneLineFailure.Check(run, SpecRefused, path, "does not exist");
    }

    [Fact]
    public void Serve_on_invalid_json_is_refused_in_one_line()
    {
        using var bundle = new OverlayBundle();
        File.WriteAllText(bundle.Directory.Combine("config.json"), "{\"ociVersion\": ");
        var run = Tool.Run(gofer.Binary, "serve", "--bundle", bundle.Path, "--socket", bundle.Directory.Combine("gofer.sock"));
        OneLineFailure.Check(run, SpecRefused, "config.json", "malformed JSON");
    }

    [Fact]
    public void Serve_on_an_unreadable_config_json_is_refused_in_one_line()
    {
        // A directory in its place: even root cannot read it as a file.
        using var bundle = new OverlayBundle();
        File.Delete(bundle.Directory.Combine("config.json"));
        bundle.Directory.Make("config.json");
        var run = Tool.Run(gofer.Binary, "serve", "--bundle", bundle.Path, "--socket", bundle.Directory.Combine("gofer.sock"));
        OneLineFailure.Check(run, SpecRefused, bundle.Directory.Combine("config.json"), "cannot be read");
    }

    [Fact]
    public void Check_on_invalid_json_exits_1_without_a_stack_trace()
    {
        using var bundle = new OverlayBundle();
        File.WriteAllText(bundle.Directory.Combine("config.json"), "[");
        var (exit, stdout, stderr) = Tool.Run(gofer.Binary, "check", "--bundle", bundle.Path);
        Assert.Equal(SpecRefused, exit);
        Assert.Contains("malformed JSON", stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Exec_against_a_socket_nobody_listens_on_names_ECONNREFUSED()
    {
        using var directory = new TempDirectory("gofer-exec-fail-");
        var path = directory.Combine("dead.sock");
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // Bound, then closed: the file stays, as after a killed server. (.NET removes the
            // file it bound when the socket closes, so the file is moved away from that name.)
            socket.Bind(new UnixDomainSocketEndPoint(path + ".bound"));
            File.Move(path + ".bound", path);
        }

        Assert.Equal("socket", Tool.Check("stat", "-c", "%F", path).Trim());

        var run = Tool.Run(gofer.Binary, "exec", "--socket", path, "--mount", "/data");
        OneLineFailure.Check(run, Failed, "gofer exec:", path, "ECONNREFUSED");
    }

    [Fact]
    public void Exec_against_a_socket_in_a_missing_directory_names_ENOENT()
    {
        var run = Tool.Run(gofer.Binary, "exec", "--socket", "/nonexistent-gofer-dir/gofer.sock", "--mount", "/data");
        OneLineFailure.Check(run, Failed, "/nonexistent-gofer-dir/gofer.sock", "ENOENT");
    }

    [Fact]
    public void Exec_on_a_missing_directory_names_ENOENT()
    {
        var run = Tool.Run(gofer.Binary, "exec", "--dir", "/nonexistent-gofer-dir");
        OneLineFailure.Check(run, Failed, "/nonexistent-gofer-dir", "ENOENT");
    }
}
