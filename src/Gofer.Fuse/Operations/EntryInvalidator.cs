using System.Collections.Concurrent;
using Gofer.Fuse.Mounting;
using Gofer.Fuse.Protocol;
using Gofer.Native;

namespace Gofer.Fuse.Operations;

/// <summary>
/// Asks the kernel to drop names (FUSE_NOTIFY_INVAL_ENTRY) from a thread of its own. The kernel
/// handles that notification under the directory's lock, which a request in flight may hold until
/// it is answered: sent from the serving loop it could wait for the loop itself, which would then
/// never answer. From here it waits only until the loop has.
/// </summary>
internal sealed class EntryInvalidator : IDisposable
{
    private readonly BlockingCollection<(ulong Parent, string Name)> queue = [];
    private readonly ReplyWriter writer;
    private readonly Thread thread;

    public EntryInvalidator(FuseDevice device)
    {
        // A name is at most 255 bytes; the buffer is this thread's own.
        writer = new ReplyWriter(device, 512);
        thread = new Thread(Run) { IsBackground = true, Name = "fuse entry invalidation" };
        thread.Start();
    }

    /// <summary>Queues names to drop; never blocks the caller.</summary>
    public void Enqueue(ulong parent, string name) => queue.TryAdd((parent, name));

    public void Dispose()
    {
        queue.CompleteAdding();

        // The connection is over by now, so a write still under way fails at once (ENODEV);
        // the wait is bounded all the same, and the thread is a background one.
        thread.Join(TimeSpan.FromSeconds(1));
        queue.Dispose();
    }

    private void Run()
    {
        foreach (var (parent, name) in queue.GetConsumingEnumerable())
        {
            try
            {
                writer.NotifyInvalEntry(parent, name);
            }
            catch (ErrnoException)
            {
                // Best effort: a name gone meanwhile, or a directory the kernel no longer knows,
                // leaves nothing to drop. The cap is a bound on memory, not a promise per name.
            }
        }
    }
}
