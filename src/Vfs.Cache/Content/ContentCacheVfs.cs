using System.Runtime.CompilerServices;
using Vfs.Abstractions;

namespace Vfs.Cache.Content;

/// <summary>
/// The write-back block cache: a layer that adds random writes, append, truncate and files larger than RAM to any
/// inner store (S3Vfs writes whole objects only), keeping content in sparse local spill files and the truth about
/// them in a SQLite index.
/// </summary>
/// <remarks>
/// Design. The inner store stays the authority for the namespace: create, mkdir, rename and unlink go through to
/// it at once (a new file is created there empty), so listings and lookups need no local overlay beyond the size
/// and mtime of objects with local changes. Content is cached per object version (<see cref="CachedObject"/>,
/// identity = path + ETag/size/mtime, spill file named by id): blocks are fetched on demand and served from the
/// spill file after; a clean object whose store attributes changed is not served from its old blocks. Writes go to
/// the spill file and make the object Dirty (committed to the index before the first byte lands); flush/close
/// commits its size and blocks and queues it; the uploader (ContentCacheVfs.Upload.cs) writes the whole object to
/// the inner store sequentially once it has been quiet for the write-back delay. States: Clean -> Dirty ->
/// Uploading -> Clean (or back to Dirty when written during the upload); Detached when unlinked or replaced while
/// open. Eviction (ContentCacheVfs.Eviction.cs) drops clean, unopened objects, least recently used first.
///
/// Lock order (never held across an await, except the object gates):
///   1. object gates (<see cref="CachedObject.Gate"/>, async, ascending id): an upload vs rename/unlink of that object
///   2. <c>_table</c>: the path and id maps
///   3. <see cref="CachedObject.Sync"/>: one object's fields
///   4. leaves, never nested in each other: <c>_queueLock</c> (upload queue), the index's own lock
/// </remarks>
public sealed partial class ContentCacheVfs : ForwardingVfs
{
    private const int MaxOpenAttempts = 8;

    private readonly ContentCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly CacheDirectoryLock _directoryLock;
    private readonly ContentIndex _index;
    private readonly ISpillStorage _spill;
    private readonly ContentCacheCounters _counters = new();
    private readonly object _table = new();
    private readonly Dictionary<VfsPath, CachedObject> _byPath = [];
    private readonly Dictionary<long, CachedObject> _byId = [];
    private readonly CancellationTokenSource _lifetime = new();
    private readonly List<Task> _loops = [];
    private long _cachedBytes;
    private int _disposed;

    /// <summary>Opens (or creates) the cache in <see cref="ContentCacheOptions.CacheDirectory"/> over <paramref name="inner"/>, which it owns.</summary>
    /// <exception cref="VfsException">EINVAL for bad options, EBUSY when another instance uses the directory, EACCES/EIO when it is unusable.</exception>
    public ContentCacheVfs(IVfs inner, ContentCacheOptions options, TimeProvider? timeProvider = null)
        : this(inner, options, timeProvider, spillStorage: null)
    {
    }

    internal ContentCacheVfs(IVfs inner, ContentCacheOptions options, TimeProvider? timeProvider, Func<string, ISpillStorage>? spillStorage)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _directoryLock = CacheDirectoryLock.Acquire(options.CacheDirectory);
        ContentIndex? index = null;
        try
        {
            var directory = _directoryLock.Directory;
            _spill = spillStorage?.Invoke(directory) ?? new DirectorySpillStorage(directory);
            index = ContentIndex.Open(directory);
            _index = index;
            index.SetCacheSizeLimit(options.CacheSizeBytes);
            LoadIndex();
        }
        catch
        {
            index?.Dispose();
            _directoryLock.Dispose();
            throw;
        }
        if (options.RunBackgroundLoops) StartBackgroundLoops();
    }

    /// <summary>The inner store's capabilities plus what the spill files make possible.</summary>
    public override VfsCapabilities Capabilities =>
        Inner.Capabilities | VfsCapabilities.RandomWrite | VfsCapabilities.Append | VfsCapabilities.Truncate;

    /// <summary>The cache directory in use (absolute).</summary>
    public string CacheDirectory => _directoryLock.Directory;

    /// <summary>Bytes held in spill files now (present blocks, counted whole).</summary>
    public long CachedBytes => Interlocked.Read(ref _cachedBytes);

    /// <summary>The live statistics: persisted counters plus those not yet flushed, and gauges from memory.</summary>
    public ContentCacheStatistics GetStatistics()
    {
        var counters = _index.ReadCounters();
        foreach (var (name, delta) in _counters.Peek()) counters[name] = counters.GetValueOrDefault(name) + delta;
        long objects, dirtyObjects = 0, dirtyBytes = 0;
        lock (_table)
        {
            objects = _byId.Count;
            foreach (var o in _byId.Values)
            {
                lock (o.Sync)
                {
                    if (!o.IsDirty) continue;
                    dirtyObjects++;
                    dirtyBytes += o.Size;
                }
            }
        }
        return ContentCacheStatistics.FromCounters(counters) with
        {
            CachedObjects = objects,
            CachedBytes = CachedBytes,
            DirtyObjects = dirtyObjects,
            DirtyBytes = dirtyBytes,
            CacheSizeLimitBytes = _options.CacheSizeBytes,
        };
    }

    // ---------------------------------------------------------------- start-up

    /// <summary>Reads the index (never the directory): dirty objects are queued at once, detached leftovers deleted.</summary>
    private void LoadIndex()
    {
        var blocks = _index.LoadBlocks();
        var leftovers = new List<long>();
        var now = _time.GetUtcNow();
        foreach (var record in _index.LoadObjects())
        {
            if (record.State == CachedObjectState.Detached || record.Path is null || !VfsPath.TryParse(record.Path, out _))
            {
                leftovers.Add(record.Id);
                continue;
            }
            var present = new BlockSet();
            if (blocks.TryGetValue(record.Id, out var list))
                foreach (var block in list) present.Add(block);
            var o = new CachedObject(record, present);
            if (o.State == CachedObjectState.Uploading) o.State = CachedObjectState.Dirty;
            _byId[o.Id] = o;
            _byPath[o.Path!.Value] = o;
            _cachedBytes += o.CachedBytes;
            if (o.IsDirty) Enqueue(o, now);
        }
        DeleteObjects(leftovers);
    }

    // ---------------------------------------------------------------- namespace

    public override async ValueTask<VfsAttributes?> TryGetAttrAsync(VfsPath path, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var attributes = await Inner.TryGetAttrAsync(path, cancellationToken).ConfigureAwait(false);
        return attributes is { IsFile: true } ? Overlay(path, attributes) : attributes;
    }

    public override async IAsyncEnumerable<VfsEntry> ListAsync(VfsPath path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await foreach (var entry in Inner.ListAsync(path, cancellationToken).ConfigureAwait(false))
        {
            if (entry.Attributes.IsFile && HasLocalChanges())
                yield return entry with { Attributes = Overlay(path.Combine(entry.Name), entry.Attributes) };
            else
                yield return entry;
        }
    }

    public override async ValueTask RemoveAsync(VfsPath path, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var o = Find(path);
        if (o is null)
        {
            await Inner.RemoveAsync(path, cancellationToken).ConfigureAwait(false);
            return;
        }
        await o.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await PreserveForOpenHandlesAsync(o, cancellationToken).ConfigureAwait(false);
            try
            {
                await Inner.RemoveAsync(path, cancellationToken).ConfigureAwait(false);
            }
            catch (VfsException ex) when (ex.Errno == Errno.ENOENT && IsDirty(o))
            {
                // The store lost it meanwhile; unlinking local changes that were never uploaded is still what was asked.
            }
            lock (_table)
            {
                if (_byPath.TryGetValue(path, out var current) && current == o) DetachLocked(o);
            }
        }
        finally
        {
            o.Gate.Release();
        }
    }

    public override async ValueTask RenameAsync(VfsPath from, VfsPath to, VfsRenameFlags flags, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        bool exchange = (flags & VfsRenameFlags.Exchange) != 0;
        List<CachedObject> affected;
        lock (_table)
        {
            affected = _byPath.Values
                .Where(o => Under(o, from) || Under(o, to))
                .OrderBy(o => o.Id)
                .ToList();
        }
        var held = new List<CachedObject>();
        try
        {
            foreach (var o in affected)
            {
                await o.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                held.Add(o);
            }
            if (!exchange)
            {
                foreach (var o in held.Where(o => Under(o, to) && !Under(o, from)))
                    await PreserveForOpenHandlesAsync(o, cancellationToken).ConfigureAwait(false);
            }
            await Inner.RenameAsync(from, to, flags, cancellationToken).ConfigureAwait(false);

            CachedObject? movedFile = null;
            lock (_table)
            {
                var moves = new List<(CachedObject Object, VfsPath NewPath)>();
                var replaced = new List<CachedObject>();
                foreach (var o in _byPath.Values.ToList())
                {
                    var p = o.Path!.Value;
                    if (p.IsSameOrDescendantOf(from)) moves.Add((o, p.Rebase(from, to)));
                    else if (p.IsSameOrDescendantOf(to))
                    {
                        if (exchange) moves.Add((o, p.Rebase(to, from)));
                        else replaced.Add(o);
                    }
                }
                foreach (var o in replaced) DetachLocked(o);
                foreach (var (o, _) in moves) _byPath.Remove(o.Path!.Value);
                var changes = new List<(long, string?, CachedObjectState)>();
                foreach (var (o, newPath) in moves)
                {
                    lock (o.Sync)
                    {
                        o.Path = newPath;
                        changes.Add((o.Id, newPath.Value, o.State));
                    }
                    _byPath[newPath] = o;
                }
                _index.SetPaths(changes);
                if (moves.Count == 1 && moves[0].NewPath == to && !exchange) movedFile = moves[0].Object;
            }
            if (movedFile is not null) await RefreshStoreVersionAsync(movedFile, to, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var o in held) o.Gate.Release();
        }
    }

    public override async ValueTask<VfsAttributes> SetAttrAsync(VfsPath path, VfsAttributeChanges changes, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (changes.Size is long size && await Inner.TryGetAttrAsync(path, cancellationToken).ConfigureAwait(false) is { IsFile: true })
        {
            // Truncation of a file is a content change: it happens in the spill file and reaches the store with the
            // upload. For anything else (missing, directory, symlink) the store gives the errno.
            var file = await OpenAsync(path, VfsOpenFlags.Write, default, cancellationToken).ConfigureAwait(false);
            await using (file.ConfigureAwait(false))
            {
                await file.TruncateAsync(size, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            changes = changes with { Size = null };
            if (changes.IsEmpty) return await this.GetAttrAsync(path, cancellationToken).ConfigureAwait(false);
        }
        // An upload in progress writes the whole object with the mode/owner it read at its start: wait for it (its
        // gate), else the store's copy would lose this change when the upload lands after it.
        var gated = Find(path);
        if (gated is not null) await gated.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        VfsAttributes attributes;
        try
        {
            attributes = await Inner.SetAttrAsync(path, changes, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gated?.Gate.Release();
        }
        if (!attributes.IsFile || Find(path) is not { } o) return attributes;
        lock (o.Sync)
        {
            o.Mode = attributes.Mode;
            o.Uid = attributes.Uid;
            o.Gid = attributes.Gid;
            if (o.IsDirty)
            {
                if (changes.ModifiedTime is { } mtime) o.Modified = mtime; // the upload sends it to the store again (its writes moved it there)
            }
            else if (attributes.Size == o.InnerSize && string.Equals(attributes.ETag, o.ETag, StringComparison.Ordinal))
            {
                o.InnerModified = attributes.ModifiedTime; // same content, new times: keep the cached blocks
                o.Modified = attributes.ModifiedTime;
            }
            _index.Commit(o.ToRecord());
        }
        return Overlay(path, attributes);
    }

    // ---------------------------------------------------------------- open

    public override async ValueTask<IVfsFile> OpenAsync(VfsPath path, VfsOpenFlags flags, VfsCreateOptions options, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        PosixRules.ValidateOpenFlags(flags);
        bool create = (flags & VfsOpenFlags.Create) != 0;
        bool exclusive = create && (flags & VfsOpenFlags.Exclusive) != 0;
        for (int attempt = 0; attempt < MaxOpenAttempts; attempt++)
        {
            var cached = Find(path);
            if (cached is not null && IsDirty(cached))
            {
                // Local changes are newer than the store: serve them without asking it.
                if (exclusive) throw VfsException.Exists(path);
                if (TryAttach(cached, path)) return await FinishOpenAsync(cached, flags, cancellationToken).ConfigureAwait(false);
                continue;
            }

            long epoch = 0;
            if (cached is not null)
                lock (cached.Sync) epoch = cached.UploadEpoch;
            var attributes = await Inner.TryGetAttrAsync(path, cancellationToken).ConfigureAwait(false);
            if (attributes is { IsFile: false }) return await Inner.OpenAsync(path, flags, options, cancellationToken).ConfigureAwait(false);
            if (attributes is null)
            {
                if (cached is not null) DetachIfClean(cached, path); // gone from the store
                if (!create) throw VfsException.NotFound(path);
                try
                {
                    attributes = await CreateInStoreAsync(path, options, cancellationToken).ConfigureAwait(false);
                }
                catch (VfsException ex) when (ex.Errno == Errno.EEXIST && !exclusive)
                {
                    continue; // someone created it meanwhile: open theirs, never truncate it by accident
                }
            }
            else if (exclusive)
            {
                throw VfsException.Exists(path);
            }

            var o = AdoptOrCreate(path, attributes, cached, epoch);
            if (o is null) continue; // our own upload moved the store while we looked: look again
            if (TryAttach(o, path)) return await FinishOpenAsync(o, flags, cancellationToken).ConfigureAwait(false);
        }
        throw new VfsException(Errno.EAGAIN, $"open of {path} kept racing with other operations");
    }

    /// <summary>Creates the file empty in the store at once (O_EXCL: never over a file that appeared meanwhile), so the store's namespace stays the truth.</summary>
    private async ValueTask<VfsAttributes> CreateInStoreAsync(VfsPath path, VfsCreateOptions options, CancellationToken cancellationToken)
    {
        const VfsOpenFlags flags = VfsOpenFlags.Write | VfsOpenFlags.Create | VfsOpenFlags.Truncate | VfsOpenFlags.Exclusive;
        var file = await Inner.OpenAsync(path, flags, options, cancellationToken).ConfigureAwait(false);
        await using (file.ConfigureAwait(false))
        {
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            // The flushed writer shows what the store now holds (S3Vfs: the PUT's ETag and mtime): no lookup needed.
            return await file.GetAttrAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<IVfsFile> FinishOpenAsync(CachedObject o, VfsOpenFlags flags, CancellationToken cancellationToken)
    {
        try
        {
            if ((flags & VfsOpenFlags.Truncate) != 0) // even O_RDONLY|O_TRUNC truncates, as on Linux
            {
                await TruncateObjectAsync(o, 0, cancellationToken).ConfigureAwait(false);
                CommitAndQueue(o);
            }
            return new ContentCacheFile(this, o, flags);
        }
        catch
        {
            await ReleaseHandleAsync(o).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The table's object for <paramref name="path"/> when it still caches the store's version; else a new object;
    /// null when an upload of the table's object overlapped the read of <paramref name="store"/> (<paramref name="seen"/>
    /// and its <paramref name="seenEpoch"/> taken before that read): those attributes may be older than the object, and
    /// detaching it would orphan its open writers' later writes.
    /// </summary>
    private CachedObject? AdoptOrCreate(VfsPath path, VfsAttributes store, CachedObject? seen, long seenEpoch)
    {
        var now = _time.GetUtcNow();
        lock (_table)
        {
            if (_byPath.TryGetValue(path, out var current))
            {
                lock (current.Sync)
                {
                    if (current.IsDirty || current.MatchesStore(store)) return current;
                    if (current.UploadEpoch != (current == seen ? seenEpoch : 0)) return null;
                }
                DetachLocked(current); // a newer version in the store: never serve the old blocks
            }
            var record = new ObjectRecord
            {
                Path = path.Value,
                State = CachedObjectState.Clean,
                Size = store.Size,
                FetchLimit = store.Size,
                BlockSize = _options.BlockSize,
                ETag = store.ETag,
                InnerSize = store.Size,
                InnerModifiedTicks = store.ModifiedTime.UtcTicks,
                ModifiedTicks = store.ModifiedTime.UtcTicks,
                Mode = store.Mode,
                Uid = store.Uid,
                Gid = store.Gid,
                LastAccessTicks = now.UtcTicks,
            };
            var o = new CachedObject(record with { Id = _index.Insert(record) }, new BlockSet());
            _byPath[path] = o;
            _byId[o.Id] = o;
            return o;
        }
    }

    /// <summary>Counts a new handle on <paramref name="o"/> if it is still the table's object for <paramref name="path"/>.</summary>
    private bool TryAttach(CachedObject o, VfsPath path)
    {
        lock (_table)
        {
            if (o.Removed || !_byPath.TryGetValue(path, out var current) || current != o) return false;
            lock (o.Sync)
            {
                o.OpenHandles++;
                o.Leases++;
                TouchLocked(o);
            }
            return true;
        }
    }

    /// <summary>release(2) of a handle: drops its lease; a detached object goes with its last handle.</summary>
    internal ValueTask ReleaseHandleAsync(CachedObject o)
    {
        lock (o.Sync) o.OpenHandles--;
        return ReleaseLeaseAsync(o);
    }

    // ---------------------------------------------------------------- table helpers

    private CachedObject? Find(VfsPath path)
    {
        lock (_table) return _byPath.GetValueOrDefault(path);
    }

    private static bool IsDirty(CachedObject o)
    {
        lock (o.Sync) return o.IsDirty;
    }

    private static bool Under(CachedObject o, VfsPath root) => o.Path is { } p && p.IsSameOrDescendantOf(root);

    private bool HasLocalChanges()
    {
        lock (_table) return _byPath.Count > 0;
    }

    /// <summary>The store's attributes with the local size and mtime when the object has local changes.</summary>
    private VfsAttributes Overlay(VfsPath path, VfsAttributes store)
    {
        var o = Find(path);
        if (o is null) return store;
        lock (o.Sync)
        {
            return o.IsDirty ? store with { Size = o.Size, ModifiedTime = o.Modified, ETag = null } : store;
        }
    }

    private void DetachIfClean(CachedObject o, VfsPath path)
    {
        lock (_table)
        {
            if (!_byPath.TryGetValue(path, out var current) || current != o) return;
            lock (o.Sync)
            {
                if (o.IsDirty) return;
            }
            DetachLocked(o);
        }
    }

    /// <summary>
    /// Takes <paramref name="o"/> off its path (caller holds <c>_table</c>): deleted at once when nobody uses it,
    /// else Detached until its last handle goes. Never uploaded after this.
    /// </summary>
    private void DetachLocked(CachedObject o)
    {
        if (o.Path is { } p && _byPath.TryGetValue(p, out var current) && current == o) _byPath.Remove(p);
        bool delete;
        lock (o.Sync)
        {
            o.State = CachedObjectState.Detached;
            delete = o.OpenHandles == 0 && o.Leases == 0;
            if (delete) o.Removed = true;
            else _index.Commit(o.ToRecord());
        }
        if (delete) RemoveLocked(o);
    }

    /// <summary>Drops a removed object from the id map, the index and the disk (caller holds <c>_table</c>).</summary>
    private void RemoveLocked(CachedObject o)
    {
        _byId.Remove(o.Id);
        if (o.Path is { } p && _byPath.TryGetValue(p, out var current) && current == o) _byPath.Remove(p);
        Interlocked.Add(ref _cachedBytes, -o.CachedBytes);
        Dequeue(o);
        DeleteObjects([o.Id]);
    }

    /// <summary>Index rows first, then files: a crash in between leaves an orphan file (ids are never reused), never a row without its data.</summary>
    private void DeleteObjects(IReadOnlyCollection<long> ids)
    {
        _index.Delete(ids);
        foreach (var id in ids)
        {
            try
            {
                _spill.Delete(id);
            }
            catch (IOException ex)
            {
                _options.Warning?.Invoke($"content cache: cannot delete spill file {id}: {ex.Message}");
            }
        }
    }

    /// <summary>
    /// Before the store loses an object that handles still have open (unlink, rename over it), fetch what of it is not
    /// cached yet, so those handles keep reading the old content as POSIX wants (caller holds the object's gate).
    /// </summary>
    private async ValueTask PreserveForOpenHandlesAsync(CachedObject o, CancellationToken cancellationToken)
    {
        long size;
        lock (o.Sync)
        {
            if (o.OpenHandles == 0 || o.Removed) return;
            o.Leases++;
            size = Math.Min(o.Size, o.FetchLimit);
        }
        try
        {
            for (long b = 0; b < o.BlockCount(size); b++) await EnsureBlockAsync(o, b, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await ReleaseLeaseAsync(o).ConfigureAwait(false);
        }
    }

    /// <summary>After renaming a clean file, learn the store's new mtime when the content is provably the same (same ETag and size).</summary>
    private async ValueTask RefreshStoreVersionAsync(CachedObject o, VfsPath path, CancellationToken cancellationToken)
    {
        var store = await Inner.TryGetAttrAsync(path, cancellationToken).ConfigureAwait(false);
        if (store is not { IsFile: true }) return;
        lock (o.Sync)
        {
            if (o.IsDirty || o.State == CachedObjectState.Detached || o.ETag is null) return;
            if (store.Size != o.InnerSize || !string.Equals(store.ETag, o.ETag, StringComparison.Ordinal)) return;
            o.InnerModified = store.ModifiedTime;
            _index.Commit(o.ToRecord());
        }
    }

    private void TouchLocked(CachedObject o)
    {
        o.LastAccess = _time.GetUtcNow();
        o.AccessChanged = true;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
