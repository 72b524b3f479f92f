using Gofer.Native;
using Gofer.Sentry.Composition;
using Gofer.Server.Tests;
using Gofer.Server.Tests.EndToEnd;

namespace Gofer.Sentry.Tests.Composition;

/// <summary>
/// The view over a gofer with few descriptors (a 256 limit leaves 192 for handles): it may look up
/// any number of names, since it gives back the handles of names it has not used lately; what it
/// cannot hold fails with EMFILE, and a name whose lookup failed that way is never taken or
/// remembered as absent.
/// </summary>
[Collection(SharedPublishedGofer.Name)]
public sealed class BoundedCacheTests(PublishedGofer gofer)
{
    private const int Limit = 256;
    private const int Directories = 20;
    private const int FilesEach = 100;

    [Fact]
    public async Task Thousands_of_names_are_looked_up_with_a_192_handle_budget_and_the_cache_stays_under_its_limit()
    {
        using var bundle = ManyFiles();
        await using var process = await LimitedGofer.StartAsync(gofer.Binary, bundle, Limit, Limit);
        using var view = SentryMounts.Open(process.SocketPath, "/data");

        // Twice over, so the second pass meets names given up during the first.
        for (var pass = 0; pass < 2; pass++)
        {
            for (var d = 0; d < Directories; d++)
            {
                for (var f = 0; f < FilesEach; f++)
                {
                    Assert.Equal(FileSize(d, f), view.Lstat($"/dir{d}/sub/file{f}").Size);
                }

                Assert.True(view.CachedHandles <= view.CacheHandleLimit + 8, $"the cache holds {view.CachedHandles} handles, over its limit of {view.CacheHandleLimit}");
            }
        }

        Assert.Equal(FilesEach, view.ReadDir("/dir7/sub").Count);
        Assert.True(Directory.GetFiles($"/proc/{process.Pid}/fd").Length <= Limit);
    }

    [Fact]
    public async Task A_lookup_that_fails_for_want_of_descriptors_is_EMFILE_and_is_not_remembered_as_absent()
    {
        using var bundle = ManyFiles();
        await using var process = await LimitedGofer.StartAsync(gofer.Binary, bundle, Limit, Limit);
        using var view = SentryMounts.Open(process.SocketPath, "/data");

        // Open files hold their handles for as long as they are open: enough of them spend the budget.
        var open = new List<OpenFile>();
        ErrnoException? refused = null;
        for (var i = 0; i < Directories * FilesEach && refused is null; i++)
        {
            try
            {
                open.Add(view.Open($"/dir{i / FilesEach}/sub/file{i % FilesEach}", Syscalls.O_RDONLY, 0));
            }
            catch (ErrnoException e)
            {
                refused = e;
            }
        }

        Assert.Equal(Errno.EMFILE, refused?.Errno);
        Assert.True(open.Count < 192, $"{open.Count} files open on a budget of 192 handles");

        // With the budget spent, looking up names never seen answers EMFILE (or, where a handle
        // came free meanwhile, the truth) — never ENOENT, which would be remembered.
        var last = Directories - 1;
        for (var f = 0; f < 10; f++)
        {
            try
            {
                Assert.Equal(FileSize(last, f), view.Lstat($"/dir{last}/sub/file{f}").Size);
            }
            catch (ErrnoException e)
            {
                Assert.Equal(Errno.EMFILE, e.Errno);
            }
        }

        open.ForEach(f => f.Dispose());
        for (var f = 0; f < 10; f++)
        {
            Assert.Equal(FileSize(last, f), view.Lstat($"/dir{last}/sub/file{f}").Size);
        }

        Assert.Equal(FileSize(0, 5), view.Read("/dir0/sub/file5", 0, -1).Length);
    }

    /// <summary>The bundle's overlay with <see cref="Directories"/> × <see cref="FilesEach"/> files in its bottom lower, two levels deep.</summary>
    private static OverlayBundle ManyFiles()
    {
        var bundle = new OverlayBundle();
        for (var d = 0; d < Directories; d++)
        {
            var dir = bundle.Directory.Make("layers", "base", $"dir{d}", "sub");
            for (var f = 0; f < FilesEach; f++)
            {
                File.WriteAllBytes(Path.Combine(dir, $"file{f}"), new byte[FileSize(d, f)]);
            }
        }

        return bundle;
    }

    private static int FileSize(int directory, int file) => (directory * 7) + file;
}
