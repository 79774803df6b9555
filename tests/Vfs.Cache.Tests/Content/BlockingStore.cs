using Vfs.Abstractions;

namespace Vfs.Cache.Tests.Content;

/// <summary>A store whose writes can be held (to act during an upload) or made to fail (EIO).</summary>
internal sealed class BlockingStore(IVfs inner) : ForwardingVfs(inner)
{
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Writes wait until <see cref="Release"/> (or cancellation).</summary>
    public volatile bool BlockWrites;

    public volatile bool FailWrites;

    /// <summary>Completed when a held write arrives.</summary>
    public TaskCompletionSource WriteStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _release.TrySetResult();

    public override async ValueTask<IVfsFile> OpenAsync(VfsPath path, VfsOpenFlags flags, VfsCreateOptions options, CancellationToken cancellationToken) =>
        new File(this, await Inner.OpenAsync(path, flags, options, cancellationToken));

    private sealed class File(BlockingStore owner, IVfsFile inner) : ForwardingVfsFile(inner)
    {
        public override async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            if (owner.FailWrites) throw new VfsException(Errno.EIO, "store write failed (test)");
            if (owner.BlockWrites)
            {
                owner.WriteStarted.TrySetResult();
                await owner._release.Task.WaitAsync(cancellationToken);
            }
            await Inner.WriteAsync(offset, data, cancellationToken);
        }
    }
}
