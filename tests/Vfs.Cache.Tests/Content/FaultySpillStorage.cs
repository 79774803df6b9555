using System.Collections.Concurrent;
using Vfs.Cache.Content;

namespace Vfs.Cache.Tests.Content;

/// <summary>
/// Spill files on a "disk" with a quota: a write that would take the bytes written by live files past it fails as a
/// full disk does (IOException with ENOSPC); deleting a file gives its bytes back, as on a real disk.
/// </summary>
internal sealed class FaultySpillStorage(string cacheDirectory) : ISpillStorage
{
    private readonly DirectorySpillStorage _real = new(cacheDirectory);
    private readonly ConcurrentDictionary<long, long> _perFile = new();
    private long _written;

    /// <summary>Bytes the live spill files may hold in all; long.MaxValue for no limit.</summary>
    public long Quota { get; set; } = long.MaxValue;

    public long Written => Interlocked.Read(ref _written);

    public ISpillFile Open(long id) => new File(this, id, _real.Open(id));

    public void Delete(long id)
    {
        if (_perFile.TryRemove(id, out var bytes)) Interlocked.Add(ref _written, -bytes);
        _real.Delete(id);
    }

    private sealed class File(FaultySpillStorage owner, long id, ISpillFile inner) : ISpillFile
    {
        public long Length => inner.Length;

        public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
            inner.ReadAsync(offset, buffer, cancellationToken);

        public ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            if (Interlocked.Read(ref owner._written) + data.Length > owner.Quota)
                throw new IOException("No space left on device", 28);
            Interlocked.Add(ref owner._written, data.Length);
            owner._perFile.AddOrUpdate(id, data.Length, (_, bytes) => bytes + data.Length);
            return inner.WriteAsync(offset, data, cancellationToken);
        }

        public void SetLength(long length) => inner.SetLength(length);

        public void Dispose() => inner.Dispose();
    }
}
