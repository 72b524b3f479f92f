using System.Diagnostics;

namespace Gofer.Server.Tests.Service;

/// <summary>Waiting for something another thread does (the server noticing a closed connection): a bounded poll, never a fixed sleep.</summary>
public static class Poll
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < Limit, $"gave up waiting until {what}");
            await Task.Delay(10);
        }
    }
}
