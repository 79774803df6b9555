namespace Vfs.Abstractions.Memory;

/// <summary>
/// An open <see cref="MemoryVfs"/> file: the node it was opened on and its access mode. It never looks at the path
/// again, so it keeps reading and writing the same data after the entry is renamed or unlinked.
/// Reading a write-only handle or writing a read-only one is EBADF (as read(2)/write(2)); truncating through a
/// read-only handle is EINVAL (as ftruncate(2)); any use after disposal is EBADF.
/// </summary>
internal sealed class MemoryVfsFile(MemoryVfs owner, MemoryFileNode node, VfsOpenFlags flags) : IVfsFile
{
    private volatile bool _disposed;

    public VfsOpenFlags Flags { get; } = flags;

    public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        PosixRules.ValidateRange(offset, buffer.Length, writing: false); // pread(2) checks the offset first
        if ((Flags & VfsOpenFlags.Read) == 0) throw new VfsException(Errno.EBADF, "handle not open for reading");
        return ValueTask.FromResult(owner.Read(node, offset, buffer.Span));
    }

    public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        bool append = (Flags & VfsOpenFlags.Append) != 0;
        if (!append) PosixRules.ValidateRange(offset, data.Length, writing: true); // pwrite(2) checks the offset first
        if ((Flags & VfsOpenFlags.Write) == 0) throw new VfsException(Errno.EBADF, "handle not open for writing");
        owner.Write(node, offset, append, data.Span);
        return ValueTask.CompletedTask;
    }

    public ValueTask TruncateAsync(long size, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        if ((Flags & VfsOpenFlags.Write) == 0) throw VfsException.Invalid("handle not open for writing");
        PosixRules.ValidateSize(size);
        owner.Truncate(node, size);
        return ValueTask.CompletedTask;
    }

    /// <summary>Nothing to hand down: the data is already in the model.</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        return ValueTask.CompletedTask;
    }

    public ValueTask FsyncAsync(CancellationToken cancellationToken) => FlushAsync(cancellationToken);

    public ValueTask<VfsAttributes> GetAttrAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        return ValueTask.FromResult(owner.GetAttributes(node));
    }

    public ValueTask DisposeAsync()
    {
        _disposed = true;
        return ValueTask.CompletedTask;
    }

    private void ThrowIfDisposed()
    {
        if (_disposed) throw new VfsException(Errno.EBADF, "handle already released");
    }
}
