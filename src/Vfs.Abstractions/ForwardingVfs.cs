namespace Vfs.Abstractions;

/// <summary>
/// A pass-through decorator: every call goes to <see cref="Inner"/>. A layer derives from it and overrides only
/// what it adds (STYLE.md habit 5), so the next reader sees the layer's idea and nothing else.
/// </summary>
public abstract class ForwardingVfs : IVfs
{
    protected ForwardingVfs(IVfs inner) => Inner = inner ?? throw new ArgumentNullException(nameof(inner));

    protected IVfs Inner { get; }

    public virtual VfsCapabilities Capabilities => Inner.Capabilities;

    public virtual ValueTask<VfsAttributes?> TryGetAttrAsync(VfsPath path, CancellationToken cancellationToken) =>
        Inner.TryGetAttrAsync(path, cancellationToken);

    public virtual IAsyncEnumerable<VfsEntry> ListAsync(VfsPath path, CancellationToken cancellationToken) =>
        Inner.ListAsync(path, cancellationToken);

    public virtual ValueTask<VfsAttributes> MkdirAsync(VfsPath path, VfsCreateOptions options, CancellationToken cancellationToken) =>
        Inner.MkdirAsync(path, options, cancellationToken);

    public virtual ValueTask RemoveAsync(VfsPath path, CancellationToken cancellationToken) =>
        Inner.RemoveAsync(path, cancellationToken);

    public virtual ValueTask RmdirAsync(VfsPath path, CancellationToken cancellationToken) =>
        Inner.RmdirAsync(path, cancellationToken);

    public virtual ValueTask RenameAsync(VfsPath from, VfsPath to, VfsRenameFlags flags, CancellationToken cancellationToken) =>
        Inner.RenameAsync(from, to, flags, cancellationToken);

    public virtual ValueTask<VfsAttributes> SetAttrAsync(VfsPath path, VfsAttributeChanges changes, CancellationToken cancellationToken) =>
        Inner.SetAttrAsync(path, changes, cancellationToken);

    public virtual ValueTask<VfsAttributes> SymlinkAsync(VfsPath path, string target, VfsCreateOptions options, CancellationToken cancellationToken) =>
        Inner.SymlinkAsync(path, target, options, cancellationToken);

    public virtual ValueTask<string> ReadlinkAsync(VfsPath path, CancellationToken cancellationToken) =>
        Inner.ReadlinkAsync(path, cancellationToken);

    public virtual ValueTask<IVfsFile> OpenAsync(VfsPath path, VfsOpenFlags flags, VfsCreateOptions options, CancellationToken cancellationToken) =>
        Inner.OpenAsync(path, flags, options, cancellationToken);

    public virtual ValueTask<VfsStatFs> StatFsAsync(CancellationToken cancellationToken) =>
        Inner.StatFsAsync(cancellationToken);

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return Inner.DisposeAsync();
    }
}

/// <summary>A pass-through open file; decorators of handles override what they add.</summary>
public abstract class ForwardingVfsFile : IVfsFile
{
    protected ForwardingVfsFile(IVfsFile inner) => Inner = inner ?? throw new ArgumentNullException(nameof(inner));

    protected IVfsFile Inner { get; }

    public virtual VfsOpenFlags Flags => Inner.Flags;

    public virtual ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
        Inner.ReadAsync(offset, buffer, cancellationToken);

    public virtual ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        Inner.WriteAsync(offset, data, cancellationToken);

    public virtual ValueTask TruncateAsync(long size, CancellationToken cancellationToken) =>
        Inner.TruncateAsync(size, cancellationToken);

    public virtual ValueTask FlushAsync(CancellationToken cancellationToken) => Inner.FlushAsync(cancellationToken);

    public virtual ValueTask FsyncAsync(CancellationToken cancellationToken) => Inner.FsyncAsync(cancellationToken);

    public virtual ValueTask<VfsAttributes> GetAttrAsync(CancellationToken cancellationToken) =>
        Inner.GetAttrAsync(cancellationToken);

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return Inner.DisposeAsync();
    }
}
