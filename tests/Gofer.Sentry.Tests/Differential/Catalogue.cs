using System.Text.Json.Nodes;
using Gofer.Server.Tests.Service;
using static Gofer.Sentry.Tests.Differential.LayerEntry;
using static Gofer.Sentry.Tests.Differential.Ops;

namespace Gofer.Sentry.Tests.Differential;

/// <summary>
/// One hand-written case per overlayfs rule the sentry must keep, each a few layers and a short
/// script that states what the kernel answers at the steps that show the rule (checked against the
/// kernel on every run, so a case cannot silently stop testing its rule). Every case ends with a
/// <c>tree</c> of the mount. A random seed that once failed becomes a case here: its report
/// prints the layers as this code.
/// </summary>
public static class Catalogue
{
    private static readonly uint FileMode = Octal.Of("644");
    private static readonly uint DirMode = Octal.Of("755");

    private static readonly Dictionary<string, Func<OverlayFlavor, (LayerSetSpec Layers, ScriptStep[] Steps)>> Rules = new(StringComparer.Ordinal)
    {
        ["lookup_takes_upper_then_lowers_top_down"] = _ => (
            new LayerSetSpec(
                [Layer.Of(File("/f", "lower0 f"), File("/g", "lower0 g")), Layer.Of(File("/f", "lower1 f"), File("/g", "lower1 g"), File("/h", "lower1 h"))],
                Layer.Of(File("/f", "upper f"))),
            [Read("/f").Gives(Data("upper f")), Read("/g").Gives(Data("lower0 g")), Read("/h").Gives(Data("lower1 h")), Tree()]),

        ["whiteouts_hide_lower_entries"] = _ => (
            new LayerSetSpec(
                [Layer.Of(Whiteout("/a"), Dir("/d"), Whiteout("/d/x")), Layer.Of(File("/a", "a"), File("/b", "b"), Dir("/d"), File("/d/x", "x"))],
                Layer.Of(Whiteout("/b"))),
            [
                Lstat("/a").Fails("ENOENT"), Lstat("/b").Fails("ENOENT"), Lstat("/d/x").Fails("ENOENT"),
                Readdir("/d").Gives(Listing()), Readdir("/").Gives(Listing(("d", "dir"))),
                Create("/a", FileMode).Succeeds(), Read("/a").Gives(Data("")), Tree(),
            ]),

        ["a_non_directory_ends_the_lookup"] = _ => (
            new LayerSetSpec(
                [
                    Layer.Of(File("/d", "file d"), Dir("/e"), File("/e/y", "y")),
                    Layer.Of(Dir("/d"), File("/d/x", "x"), File("/e", "file e")),
                    Layer.Of(Dir("/e"), File("/e/z", "z")),
                ],
                Layer.Empty),
            [
                Lstat("/d").Gives(new() { ["type"] = "file" }), Lstat("/d/x").Fails("ENOTDIR"), Read("/d").Gives(Data("file d")),
                Readdir("/e").Gives(Listing(("y", "file"))), Lstat("/e/z").Fails("ENOENT"), Tree(),
            ]),

        ["directories_merge_unless_opaque"] = _ => (
            new LayerSetSpec(
                [
                    Layer.Of(Dir("/m"), File("/m/two", "2"), Dir("/o", Opacity.Opaque), File("/o/shown", "s")),
                    Layer.Of(Dir("/m"), File("/m/one", "1"), Dir("/o"), File("/o/hidden", "h")),
                ],
                Layer.Of(Dir("/m"), File("/m/three", "3"))),
            [
                Readdir("/m").Gives(Listing(("one", "file"), ("three", "file"), ("two", "file"))),
                Readdir("/o").Gives(Listing(("shown", "file"))), Lstat("/o/hidden").Fails("ENOENT"),
                Lstat("/m").Gives(new() { ["type"] = "dir", ["nlink"] = 1 }), Tree(),
            ]),

        ["readdir_merges_drops_whiteouts_and_stops_at_opaque"] = _ => (
            new LayerSetSpec(
                [
                    Layer.Of(Dir("/d"), File("/d/top", "t"), Whiteout("/d/gone2")),
                    Layer.Of(Dir("/d", Opacity.Opaque), File("/d/middle", "m"), File("/d/gone2", "g")),
                    Layer.Of(Dir("/d"), File("/d/bottom", "b"), File("/d/gone", "g")),
                ],
                Layer.Of(Dir("/d"), Whiteout("/d/middle"), File("/d/up", "u"))),
            [Readdir("/d").Gives(Listing(("top", "file"), ("up", "file"))), Lstat("/d/bottom").Fails("ENOENT"), Tree()]),

        ["open_for_write_or_truncate_copies_up"] = _ => (
            new LayerSetSpec([Layer.Of(Dir("/d"), File("/d/f", "lower"), File("/t", "truncate me"), File("/o", "opened"))], Layer.Empty),
            [
                Write("/d/f", "UP").Gives(new() { ["written"] = 2 }), Read("/d/f").Gives(Data("UPwer")),
                Create("/t", FileMode, trunc: true).Succeeds(), Read("/t").Gives(Data("")),
                Create("/o", FileMode).Succeeds(), Read("/o").Gives(Data("opened")), Tree(),
            ]),

        ["metadata_changes_copy_up"] = _ => (
            new LayerSetSpec([Layer.Of(File("/c", "c"), File("/o", "o"), File("/t", "t"), File("/x", "x"))], Layer.Empty),
            [
                Chmod("/c", Octal.Of("600")).Succeeds(), Lstat("/c").Gives(new() { ["mode"] = Octal.Of("600") }),
                Chown("/o", 1000, 1000).Succeeds(), Lstat("/o").Gives(new() { ["uid"] = 1000, ["gid"] = 1000 }),
                Utimes("/t", 1_000_000_000_123, 2_000_000_000_456).Succeeds(),
                SetXattr("/x", "user.k", "v").Succeeds(), GetXattr("/x", "user.k").Gives(new() { ["value"] = Base64("v") }),
                ListXattr("/x").Gives(Names("user.k")), Tree(),
            ]),

        ["a_link_source_is_copied_up"] = _ => (
            new LayerSetSpec([Layer.Of(Dir("/d"), File("/d/f", "shared"))], Layer.Empty),
            [
                Link("/d/f", "/g").Succeeds(), Lstat("/g").Gives(new() { ["nlink"] = 2 }), Lstat("/d/f").Gives(new() { ["nlink"] = 2 }),
                Append("/g", "+").Succeeds(), Read("/d/f").Gives(Data("shared+")), Tree(),
            ]),

        ["create_unlink_rename_in_a_lower_only_directory"] = _ => (
            new LayerSetSpec([Layer.Of(Dir("/p"), Dir("/p/q"), File("/p/q/old", "old"), File("/p/q/gone", "gone"))], Layer.Empty),
            [
                Create("/p/q/new", FileMode).Succeeds(), Unlink("/p/q/gone").Succeeds(), Rename("/p/q/old", "/p/q/renamed").Succeeds(),
                Readdir("/p/q").Gives(Listing(("new", "file"), ("renamed", "file"))), Read("/p/q/renamed").Gives(Data("old")), Tree(),
            ]),

        ["unlink_and_rmdir_leave_whiteouts"] = _ => (
            new LayerSetSpec([Layer.Of(File("/f", "lower"), Dir("/e"), Dir("/d"), File("/d/x", "x"))], Layer.Empty),
            [
                Unlink("/f").Succeeds(), Lstat("/f").Fails("ENOENT"), Rmdir("/e").Succeeds(), Lstat("/e").Fails("ENOENT"),
                Readdir("/").Gives(Listing(("d", "dir"))),
                Create("/f", FileMode).Succeeds(), Read("/f").Gives(Data("")), Mkdir("/e", DirMode).Succeeds(), Readdir("/e").Gives(Listing()), Tree(),
            ]),

        ["rmdir_of_a_merged_directory_is_enotempty_while_entries_show"] = _ => (
            new LayerSetSpec(
                [Layer.Of(Dir("/d"), File("/d/a", "a"), File("/d/hidden", "h"))],
                Layer.Of(Dir("/d"), File("/d/b", "b"), Whiteout("/d/hidden"))),
            [
                Rmdir("/d").Fails("ENOTEMPTY"), Unlink("/d/a").Succeeds(), Rmdir("/d").Fails("ENOTEMPTY"),
                Unlink("/d/b").Succeeds(), Rmdir("/d").Succeeds(), Lstat("/d").Fails("ENOENT"), Tree(),
            ]),

        ["mkdir_over_a_whiteout_makes_an_opaque_directory"] = _ => (
            new LayerSetSpec([Layer.Of(Dir("/d"), File("/d/old", "old"))], Layer.Of(Whiteout("/d"))),
            [Lstat("/d").Fails("ENOENT"), Mkdir("/d", DirMode).Succeeds(), Readdir("/d").Gives(Listing()), Lstat("/d/old").Fails("ENOENT"), Tree()]),

        ["renaming_a_file_leaves_a_whiteout"] = _ => (
            new LayerSetSpec([Layer.Of(File("/a", "content a"), File("/b", "content b"))], Layer.Empty),
            [
                Rename("/a", "/moved").Succeeds(), Lstat("/a").Fails("ENOENT"), Read("/moved").Gives(Data("content a")),
                Rename("/b", "/moved").Succeeds(), Read("/moved").Gives(Data("content b")), Lstat("/b").Fails("ENOENT"),
                Readdir("/").Gives(Listing(("moved", "file"))), Tree(),
            ]),

        ["renaming_a_directory_a_lower_has_is_exdev"] = _ => (
            new LayerSetSpec([Layer.Of(Dir("/d"), File("/d/f", "f"), Dir("/m"))], Layer.Of(Dir("/m"), Dir("/u"))),
            [
                Rename("/d", "/e").Fails("EXDEV"), Rename("/m", "/e").Fails("EXDEV"), Rename("/u", "/u2").Succeeds(),
                Mkdir("/new", DirMode).Succeeds(), Rename("/new", "/renamed").Succeeds(), Rename("/d/f", "/f").Succeeds(),
                Lstat("/d").Gives(new() { ["type"] = "dir" }), Tree(),
            ]),

        ["copy_up_breaks_a_hard_link"] = _ => (
            new LayerSetSpec([Layer.Of(File("/h1", "shared"), HardLink("/h2", "/h1"))], Layer.Empty),
            [
                Lstat("/h1").Gives(new() { ["nlink"] = 2 }), Append("/h1", "+").Gives(new() { ["written"] = 1 }),
                Read("/h1").Gives(Data("shared+")), Read("/h2").Gives(Data("shared")),
                Lstat("/h1").Gives(new() { ["nlink"] = 1 }), Lstat("/h2").Gives(new() { ["nlink"] = 2 }), Tree(),
            ]),

        // The mount's own xattrs are invisible; the same names set through the mount are stored
        // escaped (<prefix>overlay.opaque on the layer) and are ordinary xattrs, not markers.
        ["overlay_private_xattrs_are_hidden_and_escaped"] = flavor => (
            new LayerSetSpec(
                [
                    Layer.Of(Dir("/o", Opacity.Opaque), File("/o/x", "x"), Dir("/q", Opacity.OtherNamespace), File("/q/z", "z")),
                    Layer.Of(Dir("/o"), File("/o/gone", "g"), Dir("/q"), File("/q/y", "y"), Dir("/m"), File("/m/low", "l")),
                ],
                Layer.Of(Dir("/m"))),
            [
                ListXattr("/o").Gives(Names()), GetXattr("/o", OverlayXattrs.Opaque(flavor)).Fails("ENODATA"),
                SetXattr("/m", OverlayXattrs.Opaque(flavor), "y").Succeeds(), Readdir("/m").Gives(Listing(("low", "file"))),
                GetXattr("/m", OverlayXattrs.Opaque(flavor)).Gives(new() { ["value"] = Base64("y") }),
                ListXattr("/m").Gives(flavor == OverlayFlavor.User ? Names("user.overlay.opaque") : Names()),
                RemoveXattr("/m", OverlayXattrs.Opaque(flavor)).Succeeds(), GetXattr("/m", OverlayXattrs.Opaque(flavor)).Fails("ENODATA"),

                // The other namespace's marker is not the mount's: /q merges, and with trusted.overlay. its user.overlay.opaque is an ordinary xattr.
                Readdir("/q").Gives(Listing(("y", "file"), ("z", "file"))),
                ListXattr("/q").Gives(flavor == OverlayFlavor.Trusted ? Names("user.overlay.opaque") : Names()),
                Tree(),
            ]),

        ["a_read_only_overlay_without_upper_is_erofs"] = _ => (
            new LayerSetSpec([Layer.Of(File("/f", "top"), Dir("/d")), Layer.Of(File("/f", "bottom"), File("/g", "g"))], null),
            [
                Read("/f").Gives(Data("top")), Write("/f", "x").Fails("EROFS"), Append("/g", "x").Fails("EROFS"),
                Create("/new", FileMode).Fails("EROFS"), Truncate("/f", 0).Fails("EROFS"), Mkdir("/m", DirMode).Fails("EROFS"),
                Rmdir("/d").Fails("EROFS"), Unlink("/g").Fails("EROFS"), Mkfifo("/p", FileMode).Fails("EROFS"),
                Rename("/f", "/h").Fails("EROFS"), Link("/f", "/h").Fails("EROFS"), Ops.Symlink("f", "/s").Fails("EROFS"),
                Chmod("/f", Octal.Of("600")).Fails("EROFS"), Chown("/f", 1, 1).Fails("EROFS"), Utimes("/f", 1, 2).Fails("EROFS"),
                SetXattr("/f", "user.a", "v").Fails("EROFS"), RemoveXattr("/f", "user.a").Fails("EROFS"), Tree(),
            ]),

        ["symlinks_resolve_inside_the_mount_and_fifos_stay_fifos"] = _ => (
            new LayerSetSpec(
                [Layer.Of(Dir("/d"), File("/d/f", "in d"), LayerEntry.Symlink("/abs", "/d/f"), LayerEntry.Symlink("/rel", "d/f"), LayerEntry.Symlink("/up", "../d"), LayerEntry.Symlink("/dangling", "/nope"), Fifo("/p"))],
                Layer.Empty),
            [
                Read("/abs").Gives(Data("in d")), Read("/rel").Gives(Data("in d")), Readdir("/up").Gives(Listing(("f", "file"))),
                Stat("/dangling").Fails("ENOENT"), Lstat("/dangling").Gives(new() { ["type"] = "symlink" }), Readlink("/abs").Gives(new() { ["target"] = "/d/f" }),
                Lstat("/p").Gives(new() { ["type"] = "fifo" }), Write("/p", "x").Fails("ENXIO"), Read("/p"), Tree(),
            ]),
    };

    /// <summary>
    /// The rules of <c>redirect_dir=on</c>: a directory a lower has is renamed by recording where
    /// its lower parts are. Each runs with trusted.overlay. and redirect_dir=on only.
    /// </summary>
    private static readonly Dictionary<string, Func<OverlayFlavor, (LayerSetSpec Layers, ScriptStep[] Steps)>> RedirectRules = new(StringComparer.Ordinal)
    {
        ["a_directory_renamed_in_its_directory_keeps_its_lower_content_and_leaves_a_whiteout"] = _ => (
            new LayerSetSpec([Layer.Of(Dir("/d"), File("/d/f", "f"), Dir("/d/sub"), File("/d/sub/x", "x")), Layer.Of(Dir("/d"), File("/d/low", "low"))], Layer.Empty),
            [
                Rename("/d", "/e").Succeeds(), Lstat("/d").Fails("ENOENT"), Readdir("/").Gives(Listing(("e", "dir"))),
                Readdir("/e").Gives(Listing(("f", "file"), ("low", "file"), ("sub", "dir"))), Read("/e/sub/x").Gives(Data("x")),
                Mkdir("/d", DirMode).Succeeds(), Readdir("/d").Gives(Listing()), Tree(),
            ]),

        ["a_directory_moved_to_another_directory_keeps_its_lower_content"] = _ => (
            new LayerSetSpec([Layer.Of(Dir("/p"), Dir("/p/d"), File("/p/d/f", "f"), Dir("/q"))], Layer.Of(Dir("/q"), File("/q/u", "u"))),
            [
                Rename("/p/d", "/q/d2").Succeeds(), Readdir("/q/d2").Gives(Listing(("f", "file"))), Read("/q/d2/f").Gives(Data("f")),
                Readdir("/p").Gives(Listing()), Lstat("/p/d").Fails("ENOENT"), Rmdir("/p").Succeeds(), Tree(),
            ]),

        ["a_renamed_directory_renamed_again_and_back_keeps_its_lower_content"] = _ => (
            new LayerSetSpec([Layer.Of(Dir("/a"), Dir("/a/b"), File("/a/b/f", "f"), Dir("/c"))], Layer.Empty),
            [
                Rename("/a", "/x").Succeeds(), Rename("/x/b", "/c/y").Succeeds(), Read("/c/y/f").Gives(Data("f")),
                Rename("/x", "/z").Succeeds(), Readdir("/z").Gives(Listing()), Rename("/c/y", "/z/b").Succeeds(),
                Read("/z/b/f").Gives(Data("f")), Rename("/z", "/a").Succeeds(), Readdir("/a/b").Gives(Listing(("f", "file"))),
                Rename("/c", "/a/b/c").Succeeds(), Readdir("/a/b").Gives(Listing(("c", "dir"), ("f", "file"))), Tree(),
            ]),

        ["names_below_a_redirected_directory_are_looked_up_and_changed_there"] = _ => (
            new LayerSetSpec([Layer.Of(Dir("/d"), File("/d/f", "f"), Dir("/d/s"), File("/d/s/g", "g"), File("/d/gone", "gone"))], Layer.Empty),
            [
                Rename("/d", "/e").Succeeds(), Create("/e/new", FileMode).Succeeds(), Unlink("/e/gone").Succeeds(),
                Append("/e/f", "+").Gives(new() { ["written"] = 1 }), Rename("/e/s", "/e/t").Succeeds(), Rename("/e/f", "/e/t/f").Succeeds(),
                Readdir("/e").Gives(Listing(("new", "file"), ("t", "dir"))), Readdir("/e/t").Gives(Listing(("f", "file"), ("g", "file"))),
                Read("/e/t/f").Gives(Data("f+")), Lstat("/e/s").Fails("ENOENT"), Tree(),
            ]),

        ["a_renamed_directory_is_removed_when_empty_in_the_view"] = _ => (
            new LayerSetSpec([Layer.Of(Dir("/d"), Dir("/full"), File("/full/f", "f"))], Layer.Empty),
            [
                Rename("/d", "/e").Succeeds(), Rmdir("/e").Succeeds(), Lstat("/d").Fails("ENOENT"), Lstat("/e").Fails("ENOENT"),
                Rename("/full", "/f2").Succeeds(), Rmdir("/f2").Fails("ENOTEMPTY"), Unlink("/f2/f").Succeeds(), Rmdir("/f2").Succeeds(),
                Readdir("/").Gives(Listing()), Tree(),
            ]),

        ["a_directory_without_lower_parts_moved_into_a_merged_directory_is_opaque"] = _ => (
            new LayerSetSpec([Layer.Of(Dir("/m"), Dir("/m/empty"), Dir("/m/t"), File("/m/t/z", "z"), Dir("/m/k"), File("/m/k/low", "low"))], Layer.Of(Dir("/m"))),
            [
                Mkdir("/new", DirMode).Succeeds(), Create("/new/g", FileMode).Succeeds(), Rename("/new", "/m/empty").Succeeds(),
                Readdir("/m/empty").Gives(Listing(("g", "file"))), Unlink("/m/t/z").Succeeds(), Mkdir("/n2", DirMode).Succeeds(),
                Rename("/n2", "/m/t").Succeeds(), Readdir("/m/t").Gives(Listing()), Rename("/m/t", "/m/k").Fails("ENOTEMPTY"),
                Mkdir("/m/k/inner", DirMode).Succeeds(), Rename("/m/k/inner", "/m/t/inner").Succeeds(), Tree(),
            ]),

        ["exchanging_two_lower_directories_redirects_both"] = _ => (
            new LayerSetSpec([Layer.Of(Dir("/a"), File("/a/fa", "a"), Dir("/p"), Dir("/p/b"), File("/p/b/fb", "b"))], Layer.Empty),
            [
                Rename("/a", "/p/b", "exchange").Succeeds(), Readdir("/a").Gives(Listing(("fb", "file"))),
                Readdir("/p/b").Gives(Listing(("fa", "file"))), Tree(),
            ]),

        ["a_redirect_longer_than_redirect_max_is_exdev"] = _ => (
            new LayerSetSpec([Layer.Of(Dir("/" + new string('a', 200)), Dir("/" + new string('a', 200) + "/" + new string('b', 100)), Dir("/t"))], Layer.Empty),
            [
                Rename("/" + new string('a', 200) + "/" + new string('b', 100), "/t/c").Fails("EXDEV"),
                Rename("/" + new string('a', 200) + "/" + new string('b', 100), "/" + new string('a', 200) + "/c").Succeeds(), Tree(),
            ]),
    };

    /// <summary>The rules, as theory data.</summary>
    public static TheoryData<string, OverlayFlavor> All()
    {
        var data = new TheoryData<string, OverlayFlavor>();
        foreach (var rule in Rules.Keys)
        {
            data.Add(rule, OverlayFlavor.Trusted);
            data.Add(rule, OverlayFlavor.User);
        }

        foreach (var rule in RedirectRules.Keys)
        {
            data.Add(rule, OverlayFlavor.TrustedRedirect);
        }

        return data;
    }

    /// <param name="testClass">The test class that runs it, named in the command that reruns it.</param>
    public static DifferentialCase Case(string rule, OverlayFlavor flavor, Type testClass)
    {
        var (layers, steps) = (Rules.GetValueOrDefault(rule) ?? RedirectRules[rule])(flavor);
        return new DifferentialCase(rule, flavor, layers, steps, $"dotnet test tests/Gofer.Sentry.Tests --filter \"FullyQualifiedName~{testClass.FullName}&DisplayName~{rule}\"");
    }

    private static JsonObject Data(string text) => new() { ["data"] = Base64(text) };

    private static JsonObject Names(params string[] names) => new() { ["names"] = new JsonArray([.. names.Select(n => (JsonNode)n)]) };

    /// <summary>A readdir answer: names in byte order with their types.</summary>
    private static JsonObject Listing(params (string Name, string Type)[] entries) =>
        new() { ["entries"] = new JsonArray([.. entries.Select(e => (JsonNode)new JsonObject { ["name"] = e.Name, ["type"] = e.Type })]) };
}
