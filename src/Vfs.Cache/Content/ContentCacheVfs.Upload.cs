using System.Buffers;
using Vfs.Abstractions;

namespace Vfs.Cache.Content;

/// <summary>
/// The uploader: objects are queued at flush/close with a due time (now + write-back delay, pushed back by each
/// later flush) and uploaded whole, sequentially, from the spill file — the one write pattern every store supports
/// (OpenAsync with Create|Truncate|Write, then WriteAsync at increasing offsets). Missing clean blocks are fetched
/// into the spill file, and their presence committed, before the store's copy is replaced, so a crash mid-upload
/// loses nothing: the object is still Dirty in the index and the next start uploads it again.
/// Lock order as in ContentCacheVfs.cs: the object's gate is held across the upload; <c>_queueLock</c> is a leaf.
/// </summary>
public sealed partial class ContentCacheVfs
{
    private const int MaxUploadChunk = 8 << 20;

    private readonly object _queueLock = new();
    private readonly Dictionary<long, DateTimeOffset> _due = [];
    private TaskCompletionSource _uploadWake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Objects waiting in the upload queue (due or not).</summary>
    public int QueuedUploads
    {
        get
        {
            lock (_queueLock) return _due.Count;
        }
    }

    /// <summary>
    /// Uploads every queued object whose write-back delay has passed (by the injected clock), up to
    /// <see cref="ContentCacheOptions.UploadConcurrency"/> at once; returns how many reached the store. Failed ones
    /// are queued again with backoff. The background loop calls this; tests call it by hand.
    /// </summary>
    public async Task<int> RunUploadsAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token); // a crash stops it too
        cancellationToken = linked.Token;
        var now = _time.GetUtcNow();
        List<long> ids;
        lock (_queueLock)
        {
            ids = [.. _due.Where(kv => kv.Value <= now).Select(kv => kv.Key)];
            foreach (var id in ids) _due.Remove(id);
        }
        List<CachedObject> objects;
        lock (_table) objects = [.. ids.Select(id => _byId.GetValueOrDefault(id)).OfType<CachedObject>()];

        int done = 0;
        await Parallel.ForEachAsync(
            objects,
            new ParallelOptions { MaxDegreeOfParallelism = _options.UploadConcurrency, CancellationToken = cancellationToken },
            async (o, token) =>
            {
                try
                {
                    if (await UploadAsync(o, token).ConfigureAwait(false)) Interlocked.Increment(ref done);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    _options.Warning?.Invoke($"content cache: upload of {o.Path} failed, will retry: {ex.Message}");
                }
            }).ConfigureAwait(false);
        return done;
    }

    /// <summary>
    /// Uploads every dirty object now, whatever its delay, trying each up to <see cref="ContentCacheOptions.DrainAttempts"/>
    /// times; what still fails stays dirty in the index for the next start. Returns the number that failed.
    /// </summary>
    public async Task<int> DrainAsync(IProgress<ContentCacheDrainProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        List<CachedObject> dirty;
        lock (_table) dirty = [.. _byId.Values.Where(IsDirty)];
        long bytesTotal = 0;
        foreach (var o in dirty)
            lock (o.Sync) bytesTotal += o.Size;
        int done = 0, failed = 0;
        long bytesDone = 0;
        var progressLock = new object(); // counts and report together: reports arrive in order, the last one is final
        progress?.Report(new ContentCacheDrainProgress(0, dirty.Count, 0, bytesTotal, 0));
        await Parallel.ForEachAsync(
            dirty,
            new ParallelOptions { MaxDegreeOfParallelism = _options.UploadConcurrency, CancellationToken = cancellationToken },
            async (o, token) =>
            {
                long size;
                lock (o.Sync) size = o.Size;
                bool ok = false;
                for (int attempt = 1; attempt <= _options.DrainAttempts && !ok; attempt++)
                {
                    try
                    {
                        await UploadAsync(o, token).ConfigureAwait(false);
                        ok = !IsDirty(o) || o.Removed;
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                    {
                        _options.Warning?.Invoke($"content cache: drain: upload of {o.Path} failed (attempt {attempt} of {_options.DrainAttempts}): {ex.Message}");
                    }
                }
                lock (progressLock)
                {
                    if (ok) done++;
                    else failed++;
                    bytesDone += size;
                    progress?.Report(new ContentCacheDrainProgress(done, dirty.Count, bytesDone, bytesTotal, failed));
                }
            }).ConfigureAwait(false);
        return failed;
    }

    /// <summary>fsync: commits the object and uploads it in this call; throws what the upload threw.</summary>
    internal async ValueTask UploadNowAsync(CachedObject o, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        CommitAndQueue(o, dueNow: true);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
        await UploadAsync(o, linked.Token).ConfigureAwait(false);
    }

    /// <summary>flush/close: the size and blocks reach the index (crash-safe from here on), then the object is queued.</summary>
    internal void CommitAndQueue(CachedObject o, bool dueNow = false)
    {
        bool queue;
        lock (o.Sync)
        {
            if (o.Removed) return;
            if (o.WriteVersion != o.CommittedVersion || o.UncommittedBlocks.Count > 0) CommitLocked(o, null);
            queue = o.IsDirty;
        }
        if (queue) Enqueue(o, dueNow ? _time.GetUtcNow() : _time.GetUtcNow() + _options.WriteBackDelay);
    }

    /// <summary>Writes the object's row and its uncommitted blocks (dropping blocks from <paramref name="dropBlocksFrom"/> on).</summary>
    private void CommitLocked(CachedObject o, long? dropBlocksFrom)
    {
        _index.Commit(o.ToRecord(), o.UncommittedBlocks, dropBlocksFrom);
        o.UncommittedBlocks = [];
        o.CommittedVersion = o.WriteVersion;
    }

    /// <summary>One upload of one object; false when there was nothing to upload (clean, detached, removed).</summary>
    private async Task<bool> UploadAsync(CachedObject o, CancellationToken cancellationToken)
    {
        await o.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        bool leased = false;
        try
        {
            long version, size;
            VfsPath path;
            VfsCreateOptions createOptions;
            DateTimeOffset modified;
            lock (o.Sync)
            {
                if (o.Removed || !o.IsDirty) return false;
                o.State = CachedObjectState.Uploading;
                o.UploadEpoch++;
                o.Leases++;
                leased = true;
                CommitLocked(o, null);
                version = o.WriteVersion;
                size = o.Size;
                path = o.Path!.Value;
                createOptions = new VfsCreateOptions(o.Mode, o.Uid, o.Gid);
                modified = o.Modified;
            }
            Dequeue(o);

            // 1. Everything the store's copy still holds for us comes local first: step 2 replaces that copy.
            for (long b = 0; b < o.BlockCount(size); b++) await EnsureBlockAsync(o, b, cancellationToken).ConfigureAwait(false);
            lock (o.Sync)
            {
                if (o.UncommittedBlocks.Count > 0) CommitLocked(o, null);
            }

            // 2. The whole object, sequentially, from the spill file.
            VfsAttributes? store;
            var file = await Inner.OpenAsync(path, VfsOpenFlags.Write | VfsOpenFlags.Create | VfsOpenFlags.Truncate, createOptions, cancellationToken).ConfigureAwait(false);
            await using (file.ConfigureAwait(false))
            {
                // The local mode, owner and mtime go with the data (else the store's upload time replaces the mtime that
                // touch -d, cp -p, tar -x or rsync -t set). Set before the first write: a store that writes whole
                // objects (S3Vfs) keeps them in the pending writer and sends them with the PUT or multipart upload, at
                // no extra request. The mtime is always sent (a writer that was given none stamps its commit time); mode and
                // owner only when they differ, so a store that refuses a chown it need not do is not asked.
                await ApplyLocalAttributesAsync(path, file, createOptions, modified, alwaysModifiedTime: true, cancellationToken).ConfigureAwait(false);
                int chunk = (int)Math.Clamp(size, 1, Math.Max(o.BlockSize, MaxUploadChunk));
                var buffer = ArrayPool<byte>.Shared.Rent(chunk);
                try
                {
                    for (long offset = 0; offset < size;)
                    {
                        int n = (int)Math.Min(chunk, size - offset);
                        await ReadSpillAsync(o, offset, buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                        await file.WriteAsync(offset, buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                        offset += n;
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
                // A store whose writes move the mtime (LocalVfs, MemoryVfs) is told it again; S3Vfs's writer still shows it.
                await ApplyLocalAttributesAsync(path, file, createOptions, modified, alwaysModifiedTime: false, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                await file.FsyncAsync(cancellationToken).ConfigureAwait(false);
                // The synced writer shows what the store now holds (S3Vfs: the PUT's ETag and mtime): no lookup needed.
                store = await file.GetAttrAsync(cancellationToken).ConfigureAwait(false);
            }

            // 3. Clean, unless it changed meanwhile; the store's copy is now the version we cache.
            Task<IVfsFile>? oldReader;
            bool stillDirty;
            lock (o.Sync)
            {
                o.ETag = store?.ETag;
                o.InnerSize = size;
                o.InnerModified = store?.ModifiedTime ?? _time.GetUtcNow();
                oldReader = o.InnerReader;
                o.InnerReader = null;
                o.FailedUploads = 0;
                o.UploadEpoch++;
                if (o.WriteVersion == version && o.State == CachedObjectState.Uploading)
                {
                    o.State = CachedObjectState.Clean;
                    o.FetchLimit = size;
                    o.Modified = o.InnerModified;
                }
                else if (o.State == CachedObjectState.Uploading)
                {
                    o.State = CachedObjectState.Dirty;
                }
                stillDirty = o.IsDirty;
                CommitLocked(o, null);
            }
            if (oldReader is { IsCompletedSuccessfully: true }) await oldReader.Result.DisposeAsync().ConfigureAwait(false);
            _counters.Increment(ContentCacheCounters.UploadsDone);
            _counters.Add(ContentCacheCounters.BytesUploaded, size);
            if (stillDirty) Enqueue(o, _time.GetUtcNow() + _options.WriteBackDelay);
            SignalEvictorIfOverLimit();
            return true;
        }
        catch (Exception ex)
        {
            int failures;
            lock (o.Sync)
            {
                failures = ++o.FailedUploads;
                o.UploadEpoch++;
                if (o.State == CachedObjectState.Uploading)
                {
                    o.State = CachedObjectState.Dirty;
                    TryCommitLocked(o);
                }
            }
            if (!(ex is OperationCanceledException && _lifetime.IsCancellationRequested))
            {
                _counters.Increment(ContentCacheCounters.UploadsFailed);
                Enqueue(o, _time.GetUtcNow() + RetryDelay(failures));
            }
            throw;
        }
        finally
        {
            if (leased) await ReleaseLeaseAsync(o).ConfigureAwait(false);
            o.Gate.Release();
        }
    }

    /// <summary>Sets, through the store, whichever of mode, owner and mtime its open writer shows differently from ours (the mtime always if asked).</summary>
    private async ValueTask ApplyLocalAttributesAsync(VfsPath path, IVfsFile file, VfsCreateOptions local, DateTimeOffset modified,
        bool alwaysModifiedTime, CancellationToken cancellationToken)
    {
        var shown = await file.GetAttrAsync(cancellationToken).ConfigureAwait(false);
        var changes = new VfsAttributeChanges
        {
            Mode = (shown.Mode & VfsAttributes.PermissionMask) != (local.Mode & VfsAttributes.PermissionMask) ? local.Mode & VfsAttributes.PermissionMask : null,
            Uid = shown.Uid != local.Uid ? local.Uid : null,
            Gid = shown.Gid != local.Gid ? local.Gid : null,
            ModifiedTime = alwaysModifiedTime || shown.ModifiedTime != modified ? modified : null,
        };
        if (!changes.IsEmpty) await Inner.SetAttrAsync(path, changes, cancellationToken).ConfigureAwait(false);
    }

    private void TryCommitLocked(CachedObject o)
    {
        try
        {
            CommitLocked(o, null);
        }
        catch (VfsException ex)
        {
            // The index still says Uploading, which the next start reads as Dirty: nothing is lost.
            _options.Warning?.Invoke($"content cache: cannot record the failed upload of {o.Path}: {ex.Message}");
        }
    }

    private TimeSpan RetryDelay(int failures)
    {
        double factor = Math.Pow(2, Math.Min(failures - 1, 30));
        var delay = TimeSpan.FromTicks((long)Math.Min(_options.UploadRetryDelay.Ticks * factor, _options.MaxUploadRetryDelay.Ticks));
        return delay;
    }

    private void Enqueue(CachedObject o, DateTimeOffset due)
    {
        lock (_queueLock) _due[o.Id] = due;
        Interlocked.Exchange(ref _uploadWake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private void Dequeue(CachedObject o)
    {
        lock (_queueLock) _due.Remove(o.Id);
    }

    private DateTimeOffset? NextDue()
    {
        lock (_queueLock) return _due.Count == 0 ? null : _due.Values.Min();
    }

    private async Task UploadLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var wake = Volatile.Read(ref _uploadWake).Task;
            try
            {
                await RunUploadsAsync(cancellationToken).ConfigureAwait(false);
                var next = NextDue();
                var wait = next is null ? TimeSpan.FromMinutes(1) : next.Value - _time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                    await Task.WhenAny(wake, Task.Delay(wait, _time, cancellationToken)).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _options.Warning?.Invoke($"content cache: uploader: {ex.Message}");
                await Task.Delay(_options.UploadRetryDelay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
