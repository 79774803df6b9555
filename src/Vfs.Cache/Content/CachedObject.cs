using Vfs.Abstractions;

namespace Vfs.Cache.Content;

/// <summary>
/// One cached object version in memory: its index row's fields, the blocks present in its spill file, the
/// blocks being fetched or written, and who uses it. The index row is the persisted copy of these fields.
/// </summary>
/// <remarks>
/// Locks: <see cref="Sync"/> guards every mutable field; it is taken after the table lock of
/// <see cref="ContentCacheVfs"/> and before the index's leaf lock, and never held across an await.
/// <see cref="Gate"/> is an async mutex that serialises this object's upload with namespace operations on it
/// (rename, unlink), so an upload never lands under a name the object no longer has. It is held across the
/// upload's awaits by design, taken before any other lock, and several gates are taken in ascending
/// <see cref="Id"/> order.
/// Versions: <see cref="WriteVersion"/> counts local changes; <see cref="CommittedVersion"/> is the last one
/// whose size and blocks are in the index; an upload that started at version v leaves the object Clean only
/// if no change came during it.
/// </remarks>
internal sealed class CachedObject
{
    public CachedObject(ObjectRecord record, BlockSet present)
    {
        Id = record.Id;
        BlockSize = record.BlockSize;
        Path = record.Path is null ? null : VfsPath.Parse(record.Path);
        State = record.State;
        Size = record.Size;
        FetchLimit = record.FetchLimit;
        ETag = record.ETag;
        InnerSize = record.InnerSize;
        InnerModified = new DateTimeOffset(record.InnerModifiedTicks, TimeSpan.Zero);
        Modified = new DateTimeOffset(record.ModifiedTicks, TimeSpan.Zero);
        Mode = record.Mode;
        Uid = record.Uid;
        Gid = record.Gid;
        LastAccess = new DateTimeOffset(record.LastAccessTicks, TimeSpan.Zero);
        Present = present;
    }

    public long Id { get; }

    public int BlockSize { get; }

    public object Sync { get; } = new();

    public SemaphoreSlim Gate { get; } = new(1, 1);

    // ---- guarded by Sync ----
    public VfsPath? Path;
    public CachedObjectState State;
    public long Size;
    public long FetchLimit;
    public string? ETag;
    public long InnerSize;
    public DateTimeOffset InnerModified;
    public DateTimeOffset Modified;
    public int Mode;
    public uint Uid;
    public uint Gid;
    public DateTimeOffset LastAccess;
    public bool AccessChanged;
    public BlockSet Present;
    /// <summary>Blocks present in the spill file but not yet recorded in the index.</summary>
    public List<long> UncommittedBlocks = [];
    /// <summary>Blocks being fetched or written, so a reader never sees a half-filled block and a fetch never overwrites a write.</summary>
    public Dictionary<long, Task> InFlight = [];
    public int OpenHandles;
    /// <summary>Users of the spill file and inner reader (handles, uploads, fetches); both close when it drops to 0.</summary>
    public int Leases;
    public ISpillFile? Spill;
    public Task<IVfsFile>? InnerReader;
    public long WriteVersion;
    public long CommittedVersion;
    public int FailedUploads;
    /// <summary>Moves when an upload starts and when it ends: store attributes read across such a move may predate our own upload.</summary>
    public long UploadEpoch;
    /// <summary>Set once the object has left the table (evicted, deleted): nothing may attach to it any more.</summary>
    public bool Removed;

    public bool IsDirty => State is CachedObjectState.Dirty or CachedObjectState.Uploading;

    /// <summary>Bytes the spill file holds for the cache's size accounting (present blocks; the last one may be partial, counted whole).</summary>
    public long CachedBytes => (long)Present.Count * BlockSize;

    public long BlockCount(long size) => (size + BlockSize - 1) / BlockSize;

    public ObjectRecord ToRecord() => new()
    {
        Id = Id,
        Path = State == CachedObjectState.Detached ? null : Path?.Value,
        State = State,
        Size = Size,
        FetchLimit = FetchLimit,
        BlockSize = BlockSize,
        ETag = ETag,
        InnerSize = InnerSize,
        InnerModifiedTicks = InnerModified.UtcTicks,
        ModifiedTicks = Modified.UtcTicks,
        Mode = Mode,
        Uid = Uid,
        Gid = Gid,
        LastAccessTicks = LastAccess.UtcTicks,
    };

    /// <summary>What stat(2) shows for this object's local content.</summary>
    public VfsAttributes Attributes() => new()
    {
        Kind = VfsEntryKind.File,
        Size = Size,
        Mode = Mode,
        Uid = Uid,
        Gid = Gid,
        ModifiedTime = Modified,
        AccessTime = LastAccess > Modified ? LastAccess : Modified,
        ChangeTime = Modified,
        ETag = IsDirty ? null : ETag,
    };

    /// <summary>True when the store's attributes still describe the version this object caches.</summary>
    public bool MatchesStore(VfsAttributes attributes) =>
        attributes.IsFile
        && attributes.Size == InnerSize
        && attributes.ModifiedTime.UtcTicks == InnerModified.UtcTicks
        && string.Equals(attributes.ETag, ETag, StringComparison.Ordinal);
}
