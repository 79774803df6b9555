namespace Vfs.Abstractions;

/// <summary>
/// A filesystem as the layers see it: namespace operations by path, data by handle (<see cref="OpenAsync"/>).
/// Every layer of the stack is one; a decorator takes its inner <see cref="IVfs"/> in its constructor.
/// </summary>
/// <remarks>
/// The written minimum every implementation keeps:
/// <list type="bullet">
/// <item>Errors are <see cref="VfsException"/> with the errno a POSIX filesystem would give: ENOENT for a
/// missing entry or parent, ENOTDIR where a parent is not a directory, EEXIST, EISDIR, ENOTEMPTY, EINVAL,
/// ENAMETOOLONG, ENOTSUP for what the stack cannot do.</item>
/// <item>The root always exists and is a directory; it cannot be removed or renamed (EBUSY).</item>
/// <item>A listing holds neither <c>.</c> nor <c>..</c>; names are unique and valid <see cref="VfsPath"/> segments.</item>
/// <item>A handle keeps working after its file is renamed or unlinked.</item>
/// <item>Cancellation (a FUSE interrupt) may abandon an operation; it then throws
/// <see cref="OperationCanceledException"/> and leaves the namespace as before or as after, never in between
/// for a single-entry operation.</item>
/// </list>
/// </remarks>
public interface IVfs : IAsyncDisposable
{
    VfsCapabilities Capabilities { get; }

    /// <summary>The attributes of <paramref name="path"/>, or null when it does not exist (the hot "not found" path does not throw).</summary>
    /// <exception cref="VfsException">ENOTDIR when a parent is not a directory.</exception>
    ValueTask<VfsAttributes?> TryGetAttrAsync(VfsPath path, CancellationToken cancellationToken);

    /// <summary>The entries of directory <paramref name="path"/> with their attributes, streamed.</summary>
    IAsyncEnumerable<VfsEntry> ListAsync(VfsPath path, CancellationToken cancellationToken);

    ValueTask<VfsAttributes> MkdirAsync(VfsPath path, VfsCreateOptions options, CancellationToken cancellationToken);

    /// <summary>unlink(2): removes a file or a symlink; EISDIR for a directory.</summary>
    ValueTask RemoveAsync(VfsPath path, CancellationToken cancellationToken);

    /// <summary>rmdir(2): removes an empty directory; ENOTEMPTY, ENOTDIR.</summary>
    ValueTask RmdirAsync(VfsPath path, CancellationToken cancellationToken);

    /// <summary>rename(2)/renameat2(2) with POSIX rules; <paramref name="flags"/> as renameat2.</summary>
    ValueTask RenameAsync(VfsPath from, VfsPath to, VfsRenameFlags flags, CancellationToken cancellationToken);

    ValueTask<VfsAttributes> SetAttrAsync(VfsPath path, VfsAttributeChanges changes, CancellationToken cancellationToken);

    ValueTask<VfsAttributes> SymlinkAsync(VfsPath path, string target, VfsCreateOptions options, CancellationToken cancellationToken);

    ValueTask<string> ReadlinkAsync(VfsPath path, CancellationToken cancellationToken);

    /// <summary>open(2)/creat(2). <paramref name="options"/> applies when <see cref="VfsOpenFlags.Create"/> creates the file.</summary>
    ValueTask<IVfsFile> OpenAsync(VfsPath path, VfsOpenFlags flags, VfsCreateOptions options, CancellationToken cancellationToken);

    ValueTask<VfsStatFs> StatFsAsync(CancellationToken cancellationToken);
}

/// <summary>
/// An open file. Reads and writes go through the handle and never re-resolve the path, so a handle keeps
/// working after its file is renamed or unlinked. Disposal is release(2): it cannot report errors, so a layer
/// reports upload errors from <see cref="FlushAsync"/> and <see cref="FsyncAsync"/>.
/// </summary>
public interface IVfsFile : IAsyncDisposable
{
    VfsOpenFlags Flags { get; }

    /// <summary>Reads up to <c>buffer.Length</c> bytes at <paramref name="offset"/>; fewer only at end of file.</summary>
    ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Writes all of <paramref name="data"/> at <paramref name="offset"/> (at the end when opened with Append).</summary>
    ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    ValueTask TruncateAsync(long size, CancellationToken cancellationToken);

    /// <summary>The data written so far reaches the layer below (close(2) calls it; it may come several times).</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken);

    /// <summary>The data written so far is durable in the store (for S3: uploaded).</summary>
    ValueTask FsyncAsync(CancellationToken cancellationToken);

    /// <summary>The attributes as this handle sees them (size includes unflushed writes).</summary>
    ValueTask<VfsAttributes> GetAttrAsync(CancellationToken cancellationToken);
}
