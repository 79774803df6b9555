using System.Runtime.CompilerServices;
using Vfs.Abstractions;

namespace Vfs.Testing.Fakes;

/// <summary>The calls a <see cref="CountingVfs"/> counts: every IVfs operation and every handle operation.</summary>
public enum VfsOperation
{
    GetAttr,
    List,
    Mkdir,
    Remove,
    Rmdir,
    Rename,
    SetAttr,
    Symlink,
    Readlink,
    Open,
    StatFs,
    Read,
    Write,
    Truncate,
    Flush,
    Fsync,
    FileGetAttr,
    Close,
}

/// <summary>
/// A decorator that counts the requests reaching the layer below it (how many store calls a cache saves), and can
/// hold a call at its start (<see cref="BeforeCall"/>) so a test can line up concurrent requests.
/// </summary>
public sealed class CountingVfs(IVfs inner) : ForwardingVfs(inner)
{
    private readonly long[] _counts = new long[Enum.GetValues<VfsOperation>().Length];

    /// <summary>Awaited at the start of every counted call, after counting; null to run straight through.</summary>
    public Func<VfsOperation, VfsPath, ValueTask>? BeforeCall { get; set; }

    public long Count(VfsOperation operation) => Interlocked.Read(ref _counts[(int)operation]);

    /// <summary>All calls counted so far.</summary>
    public long Total => Enum.GetValues<VfsOperation>().Sum(Count);

    /// <summary>Namespace calls only (everything but the handle operations Read..Close).</summary>
    public long NamespaceCalls => Enum.GetValues<VfsOperation>().Where(op => op < VfsOperation.Read).Sum(Count);

    public void Reset()
    {
        for (int i = 0; i < _counts.Length; i++) Interlocked.Exchange(ref _counts[i], 0);
    }

    internal async ValueTask EnterAsync(VfsOperation operation, VfsPath path)
    {
        Interlocked.Increment(ref _counts[(int)operation]);
        if (BeforeCall is { } hook) await hook(operation, path).ConfigureAwait(false);
    }

    public override async ValueTask<VfsAttributes?> TryGetAttrAsync(VfsPath path, CancellationToken cancellationToken)
    {
        await EnterAsync(VfsOperation.GetAttr, path).ConfigureAwait(false);
        return await Inner.TryGetAttrAsync(path, cancellationToken).ConfigureAwait(false);
    }

    public override async IAsyncEnumerable<VfsEntry> ListAsync(VfsPath path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnterAsync(VfsOperation.List, path).ConfigureAwait(false);
        await foreach (var entry in Inner.ListAsync(path, cancellationToken).ConfigureAwait(false)) yield return entry;
    }

    public override async ValueTask<VfsAttributes> MkdirAsync(VfsPath path, VfsCreateOptions options, CancellationToken cancellationToken)
    {
        await EnterAsync(VfsOperation.Mkdir, path).ConfigureAwait(false);
        return await Inner.MkdirAsync(path, options, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask RemoveAsync(VfsPath path, CancellationToken cancellationToken)
    {
        await EnterAsync(VfsOperation.Remove, path).ConfigureAwait(false);
        await Inner.RemoveAsync(path, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask RmdirAsync(VfsPath path, CancellationToken cancellationToken)
    {
        await EnterAsync(VfsOperation.Rmdir, path).ConfigureAwait(false);
        await Inner.RmdirAsync(path, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask RenameAsync(VfsPath from, VfsPath to, VfsRenameFlags flags, CancellationToken cancellationToken)
    {
        await EnterAsync(VfsOperation.Rename, from).ConfigureAwait(false);
        await Inner.RenameAsync(from, to, flags, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask<VfsAttributes> SetAttrAsync(VfsPath path, VfsAttributeChanges changes, CancellationToken cancellationToken)
    {
        await EnterAsync(VfsOperation.SetAttr, path).ConfigureAwait(false);
        return await Inner.SetAttrAsync(path, changes, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask<VfsAttributes> SymlinkAsync(VfsPath path, string target, VfsCreateOptions options, CancellationToken cancellationToken)
    {
        await EnterAsync(VfsOperation.Symlink, path).ConfigureAwait(false);
        return await Inner.SymlinkAsync(path, target, options, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask<string> ReadlinkAsync(VfsPath path, CancellationToken cancellationToken)
    {
        await EnterAsync(VfsOperation.Readlink, path).ConfigureAwait(false);
        return await Inner.ReadlinkAsync(path, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask<IVfsFile> OpenAsync(VfsPath path, VfsOpenFlags flags, VfsCreateOptions options, CancellationToken cancellationToken)
    {
        await EnterAsync(VfsOperation.Open, path).ConfigureAwait(false);
        var file = await Inner.OpenAsync(path, flags, options, cancellationToken).ConfigureAwait(false);
        return new CountingVfsFile(this, file, path);
    }

    public override async ValueTask<VfsStatFs> StatFsAsync(CancellationToken cancellationToken)
    {
        await EnterAsync(VfsOperation.StatFs, VfsPath.Root).ConfigureAwait(false);
        return await Inner.StatFsAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed class CountingVfsFile(CountingVfs owner, IVfsFile inner, VfsPath path) : ForwardingVfsFile(inner)
    {
        public override async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
        {
            await owner.EnterAsync(VfsOperation.Read, path).ConfigureAwait(false);
            return await Inner.ReadAsync(offset, buffer, cancellationToken).ConfigureAwait(false);
        }

        public override async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            await owner.EnterAsync(VfsOperation.Write, path).ConfigureAwait(false);
            await Inner.WriteAsync(offset, data, cancellationToken).ConfigureAwait(false);
        }

        public override async ValueTask TruncateAsync(long size, CancellationToken cancellationToken)
        {
            await owner.EnterAsync(VfsOperation.Truncate, path).ConfigureAwait(false);
            await Inner.TruncateAsync(size, cancellationToken).ConfigureAwait(false);
        }

        public override async ValueTask FlushAsync(CancellationToken cancellationToken)
        {
            await owner.EnterAsync(VfsOperation.Flush, path).ConfigureAwait(false);
            await Inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        public override async ValueTask FsyncAsync(CancellationToken cancellationToken)
        {
            await owner.EnterAsync(VfsOperation.Fsync, path).ConfigureAwait(false);
            await Inner.FsyncAsync(cancellationToken).ConfigureAwait(false);
        }

        public override async ValueTask<VfsAttributes> GetAttrAsync(CancellationToken cancellationToken)
        {
            await owner.EnterAsync(VfsOperation.FileGetAttr, path).ConfigureAwait(false);
            return await Inner.GetAttrAsync(cancellationToken).ConfigureAwait(false);
        }

        public override async ValueTask DisposeAsync()
        {
            await owner.EnterAsync(VfsOperation.Close, path).ConfigureAwait(false);
            await Inner.DisposeAsync().ConfigureAwait(false);
        }
    }
}
