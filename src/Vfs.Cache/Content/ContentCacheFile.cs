using Vfs.Abstractions;

namespace Vfs.Cache.Content;

/// <summary>
/// An open file of <see cref="ContentCacheVfs"/>: holds its cached object, never its path, so it keeps working
/// after a rename or unlink. Flush commits to the index and queues the upload; fsync uploads now and reports the
/// store's error; release cannot report errors, so it only commits. Argument checks and errnos are those of
/// <see cref="PosixRules"/>, in the reference model's order.
/// </summary>
internal sealed class ContentCacheFile(ContentCacheVfs cache, CachedObject cached, VfsOpenFlags flags) : IVfsFile
{
    private int _released;

    public VfsOpenFlags Flags { get; } = flags;

    private bool Writable => (Flags & VfsOpenFlags.Write) != 0;

    public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ThrowIfReleased();
        PosixRules.ValidateRange(offset, buffer.Length, writing: false); // pread(2) checks the offset first
        if ((Flags & VfsOpenFlags.Read) == 0) throw new VfsException(Errno.EBADF, "file not open for reading");
        return cache.ReadObjectAsync(cached, offset, buffer, cancellationToken);
    }

    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ThrowIfReleased();
        bool append = (Flags & VfsOpenFlags.Append) != 0;
        if (!append) PosixRules.ValidateRange(offset, data.Length, writing: true); // pwrite(2) checks the offset first
        if (!Writable) throw new VfsException(Errno.EBADF, "file not open for writing");
        return cache.WriteObjectAsync(cached, offset, data, append, cancellationToken);
    }

    public ValueTask TruncateAsync(long size, CancellationToken cancellationToken)
    {
        ThrowIfReleased();
        if (!Writable) throw VfsException.Invalid("file not open for writing"); // as ftruncate(2)
        PosixRules.ValidateSize(size);
        return cache.TruncateObjectAsync(cached, size, cancellationToken);
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        ThrowIfReleased();
        if (Writable) cache.CommitAndQueue(cached);
        return ValueTask.CompletedTask;
    }

    public ValueTask FsyncAsync(CancellationToken cancellationToken)
    {
        ThrowIfReleased();
        return cache.UploadNowAsync(cached, cancellationToken);
    }

    public ValueTask<VfsAttributes> GetAttrAsync(CancellationToken cancellationToken)
    {
        ThrowIfReleased();
        lock (cached.Sync) return ValueTask.FromResult(cached.Attributes());
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0) return;
        try
        {
            if (Writable) cache.CommitAndQueue(cached);
        }
        finally
        {
            await cache.ReleaseHandleAsync(cached).ConfigureAwait(false);
        }
    }

    private void ThrowIfReleased()
    {
        if (Volatile.Read(ref _released) != 0) throw new VfsException(Errno.EBADF, "file handle already released");
    }
}
