using Vfs.Abstractions;

namespace Vfs.Cache.Metadata;

/// <summary>
/// A file open for writing through <see cref="MetadataCacheVfs"/>: after each write, truncate, flush, fsync and its
/// close it resets the cached attributes of its path and its parent's listing (size and mtime moved). The path follows
/// renames made through the cache while the file is open, so the right name is reset; after an unlink it names a
/// path that no longer holds this file, and resetting that is merely wasted.
/// </summary>
/// <remarks>Lock order: <see cref="_pathLock"/> is a leaf, held only to read or move the path.</remarks>
internal sealed class MetadataCacheFile(MetadataCacheVfs owner, IVfsFile inner, VfsPath path) : ForwardingVfsFile(inner)
{
    private readonly Lock _pathLock = new();
    private VfsPath _path = path;

    public VfsPath Path
    {
        get
        {
            lock (_pathLock) return _path;
        }
    }

    /// <summary>Follows rename(from, to) (both ways for an exchange) when this file's path is at or below one of them.</summary>
    public void Renamed(VfsPath from, VfsPath to, VfsRenameFlags flags)
    {
        lock (_pathLock)
        {
            if (_path.IsSameOrDescendantOf(from)) _path = _path.Rebase(from, to);
            else if ((flags & VfsRenameFlags.Exchange) != 0 && _path.IsSameOrDescendantOf(to)) _path = _path.Rebase(to, from);
        }
    }

    public override async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            await Inner.WriteAsync(offset, data, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            owner.ContentChanged(Path);
        }
    }

    public override async ValueTask TruncateAsync(long size, CancellationToken cancellationToken)
    {
        try
        {
            await Inner.TruncateAsync(size, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            owner.ContentChanged(Path);
        }
    }

    public override async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            owner.ContentChanged(Path);
        }
    }

    public override async ValueTask FsyncAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Inner.FsyncAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            owner.ContentChanged(Path);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await Inner.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            owner.Closed(this);
            owner.ContentChanged(Path);
        }
    }
}
