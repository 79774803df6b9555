using System.Threading.Channels;
using Vfs.Abstractions;
using Vfs.Cache.Metadata;
using Vfs.Fuse;

namespace Vfs.Cli.Mounting;

/// <summary>What the kernel can be told to forget (the FUSE mount; a recorder in tests).</summary>
public interface IKernelInvalidation
{
    /// <summary>The file's content changed: drops cached attributes and pages, keeping open files on their version; 0 or -errno.</summary>
    int InvalidateContent(VfsPath path);

    /// <summary>Drops the path's dentry (positive or negative); 0 or -errno.</summary>
    int InvalidateEntry(VfsPath path);
}

/// <summary>The kernel of a <see cref="FuseMount"/>.</summary>
public sealed class FuseKernelInvalidation(FuseMount mount) : IKernelInvalidation
{
    public int InvalidateContent(VfsPath path) => mount.InvalidateContent(path);

    public int InvalidateEntry(VfsPath path) => mount.InvalidateEntry(path);
}

/// <summary>
/// Tells the kernel what the metadata cache learns about other writers' changes, so that neither its page cache nor
/// its dentries serve a stale version: Modified -> notify_inval_inode (attributes and pages), Deleted and Created ->
/// notify_inval_entry (the name is looked up anew; a Created name drops a negative dentry). A Modified file that is
/// open also gets a new inode for new opens (<see cref="FuseMount.InvalidateContent"/>), so open files keep their version.
/// </summary>
/// <remarks>
/// The cache calls <see cref="OnEntryChanged"/> inside a lookup or listing that the kernel may be serving under the
/// parent directory's lock, and inval_entry takes that lock: sending from there deadlocks. So changes are only
/// queued there, and sent from this notifier's own long-running task. -ENOENT (the kernel does not hold that inode
/// or dentry) is the common, expected answer and ignored. Dispose unsubscribes, then lets the queue run dry.
/// </remarks>
public sealed class KernelChangeNotifier : IVfsChangeListener, IDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);
    private readonly Channel<VfsChange> _queue = Channel.CreateUnbounded<VfsChange>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IKernelInvalidation _kernel;
    private readonly Action<string>? _log;
    private readonly IDisposable _subscription;
    private readonly Task _pump;
    private long _sent;

    public KernelChangeNotifier(MetadataCacheVfs cache, IKernelInvalidation kernel, Action<string>? log = null)
    {
        _kernel = kernel;
        _log = log;
        _pump = Task.Factory.StartNew(PumpAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        _subscription = cache.Subscribe(this);
    }

    /// <summary>Notifications the kernel accepted (for tests and --debug).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    public void OnEntryChanged(VfsChange change) => _queue.Writer.TryWrite(change);

    public void Dispose()
    {
        _subscription.Dispose();
        _queue.Writer.TryComplete();
        _pump.Wait(StopTimeout);
    }

    private async Task PumpAsync()
    {
        await foreach (var change in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            int result;
            try
            {
                result = change.Kind == VfsChangeKind.Modified ? _kernel.InvalidateContent(change.Path) : _kernel.InvalidateEntry(change.Path);
            }
            catch (Exception e)
            {
                _log?.Invoke($"vfs: could not notify the kernel of {change.Kind} {change.Path}: {e.Message}");
                continue;
            }
            if (result == 0)
            {
                Interlocked.Increment(ref _sent);
                _log?.Invoke($"vfs: told the kernel: {change.Kind} {change.Path}");
            }
            else if (result != -(int)Errno.ENOENT) _log?.Invoke($"vfs: the kernel refused the notification of {change.Kind} {change.Path}: errno {-result}");
            else _log?.Invoke($"vfs: {change.Kind} {change.Path}: the kernel held nothing of it");
        }
    }
}
