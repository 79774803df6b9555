using Vfs.Abstractions;

namespace Vfs.Cache.Tests.Content;

/// <summary>
/// A store that writes only whole objects, sequentially, as S3Vfs does: opening an existing file for writing needs
/// O_TRUNC, every write must land at the current end, and truncate is refused (ENOTSUP). It counts what it was
/// asked, so a test proves the cache above it only ever uploads whole objects in order.
/// </summary>
internal sealed class WholeObjectOnlyVfs(IVfs inner) : ForwardingVfs(inner)
{
    private int _refusals;
    private int _uploads;

    /// <summary>Requests refused because they were not whole-object, sequential writes.</summary>
    public int Refusals => Volatile.Read(ref _refusals);

    /// <summary>Whole-object writes opened (Create|Truncate|Write).</summary>
    public int Uploads => Volatile.Read(ref _uploads);

    public override VfsCapabilities Capabilities =>
        Inner.Capabilities & ~(VfsCapabilities.RandomWrite | VfsCapabilities.Append | VfsCapabilities.Truncate);

    public override async ValueTask<IVfsFile> OpenAsync(VfsPath path, VfsOpenFlags flags, VfsCreateOptions options, CancellationToken cancellationToken)
    {
        if ((flags & VfsOpenFlags.Write) != 0)
        {
            if ((flags & VfsOpenFlags.Truncate) == 0 || (flags & VfsOpenFlags.Append) != 0 || (flags & VfsOpenFlags.Read) != 0)
                throw Refuse($"open {path} with {flags}: only whole-object writes");
            Interlocked.Increment(ref _uploads);
        }
        return new SequentialFile(this, await Inner.OpenAsync(path, flags, options, cancellationToken));
    }

    public override ValueTask<VfsAttributes> SetAttrAsync(VfsPath path, VfsAttributeChanges changes, CancellationToken cancellationToken) =>
        changes.Size is not null ? throw Refuse($"truncate {path}") : Inner.SetAttrAsync(path, changes, cancellationToken);

    private VfsException Refuse(string what)
    {
        Interlocked.Increment(ref _refusals);
        return VfsException.NotSupported(what);
    }

    private sealed class SequentialFile(WholeObjectOnlyVfs owner, IVfsFile inner) : ForwardingVfsFile(inner)
    {
        private long _end;

        public override async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            if (offset != _end) throw owner.Refuse($"write at {offset}, expected {_end}: only sequential writes");
            await Inner.WriteAsync(offset, data, cancellationToken);
            _end += data.Length;
        }

        public override ValueTask TruncateAsync(long size, CancellationToken cancellationToken) => throw owner.Refuse("truncate");
    }
}
