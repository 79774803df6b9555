using Vfs.Abstractions;

namespace Vfs.Cache.Content;

/// <summary>
/// Lifetime of the cache: leases on objects (spill file and store reader open while used), the batched index
/// writes, the background loops, drain at dispose, and abandoning the instance as a crash would.
/// Lock order as in ContentCacheVfs.cs.
/// </summary>
public sealed partial class ContentCacheVfs
{
    /// <summary>
    /// Writes the batched state — access times, presence of fetched blocks, counter deltas — in one transaction.
    /// The background loop calls it every <see cref="ContentCacheOptions.IndexFlushInterval"/>; dispose calls it last.
    /// </summary>
    public void FlushIndex()
    {
        var accesses = new List<(long, long)>();
        var presence = new List<(long Id, IReadOnlyCollection<long> Blocks)>();
        var taken = new List<(CachedObject Object, List<long> Blocks, bool Access)>();
        lock (_table)
        {
            foreach (var o in _byId.Values)
            {
                lock (o.Sync)
                {
                    if (o.Removed || (!o.AccessChanged && o.UncommittedBlocks.Count == 0)) continue;
                    var blocks = o.UncommittedBlocks;
                    o.UncommittedBlocks = [];
                    if (o.AccessChanged) accesses.Add((o.Id, o.LastAccess.UtcTicks));
                    if (blocks.Count > 0) presence.Add((o.Id, blocks));
                    taken.Add((o, blocks, o.AccessChanged));
                    o.AccessChanged = false;
                }
            }
        }
        var deltas = _counters.TakeDeltas();
        try
        {
            _index.WriteBatch(accesses, presence, deltas);
        }
        catch (VfsException)
        {
            // Put everything back: a later flush or commit writes it (a dirty object's written blocks must not be forgotten).
            _counters.Restore(deltas);
            foreach (var (o, blocks, access) in taken)
            {
                lock (o.Sync)
                {
                    o.UncommittedBlocks.AddRange(blocks);
                    o.AccessChanged |= access;
                }
            }
            throw;
        }
    }

    private void StartBackgroundLoops()
    {
        var token = _lifetime.Token;
        _loops.Add(Task.Run(() => UploadLoopAsync(token)));
        _loops.Add(Task.Run(() => EvictionLoopAsync(token)));
        _loops.Add(Task.Run(() => IndexFlushLoopAsync(token)));
    }

    private async Task IndexFlushLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.IndexFlushInterval, _time, cancellationToken).ConfigureAwait(false);
                FlushIndex();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _options.Warning?.Invoke($"content cache: index flush: {ex.Message}");
            }
        }
    }

    private async Task StopBackgroundLoopsAsync()
    {
        _lifetime.Cancel();
        foreach (var loop in _loops)
        {
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // stopping
            }
        }
    }

    /// <summary>Drops one user of the object's spill file and store reader; the last one closes both.</summary>
    private async ValueTask ReleaseLeaseAsync(CachedObject o)
    {
        ISpillFile? spill = null;
        Task<IVfsFile>? reader = null;
        bool finalize;
        lock (o.Sync)
        {
            o.Leases--;
            if (o.Leases == 0)
            {
                spill = o.Spill;
                o.Spill = null;
                reader = o.InnerReader;
                o.InnerReader = null;
            }
            finalize = o.Leases == 0 && o.OpenHandles == 0 && o.State == CachedObjectState.Detached && !o.Removed;
        }
        spill?.Dispose();
        if (reader is { IsCompletedSuccessfully: true }) await reader.Result.DisposeAsync().ConfigureAwait(false);
        if (!finalize) return;
        lock (_table)
        {
            lock (o.Sync)
            {
                if (o.Removed || o.Leases > 0 || o.OpenHandles > 0) return;
                o.Removed = true;
            }
            RemoveLocked(o);
        }
    }

    /// <summary>
    /// Unmount: stops the loops, drains every dirty object to the store (progress to
    /// <see cref="ContentCacheOptions.DrainProgress"/>), writes the batched index state, closes the cache, then
    /// disposes the inner store. Objects that could not be uploaded stay dirty for the next start.
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await StopBackgroundLoopsAsync().ConfigureAwait(false);
        try
        {
            int failed = await DrainAsync(_options.DrainProgress, CancellationToken.None).ConfigureAwait(false);
            if (failed > 0) _options.Warning?.Invoke($"content cache: {failed} object(s) not uploaded; they stay in {CacheDirectory} for the next mount");
        }
        catch (Exception ex)
        {
            _options.Warning?.Invoke($"content cache: drain failed: {ex.Message}");
        }
        try
        {
            FlushIndex();
        }
        catch (VfsException ex)
        {
            _options.Warning?.Invoke($"content cache: final index flush failed: {ex.Message}");
        }
        await CloseLocalStateAsync().ConfigureAwait(false);
        _lifetime.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// What kill -9 leaves behind, for tests: stops without draining or flushing the batched state and closes the
    /// cache's files and lock. The inner store is left as it is (it outlives the mount).
    /// </summary>
    internal async ValueTask AbandonAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await StopBackgroundLoopsAsync().ConfigureAwait(false);
        await CloseLocalStateAsync().ConfigureAwait(false);
        _lifetime.Dispose();
    }

    private async ValueTask CloseLocalStateAsync()
    {
        var readers = new List<Task<IVfsFile>>();
        lock (_table)
        {
            foreach (var o in _byId.Values)
            {
                lock (o.Sync)
                {
                    o.Spill?.Dispose();
                    o.Spill = null;
                    if (o.InnerReader is { } reader) readers.Add(reader);
                    o.InnerReader = null;
                }
            }
        }
        foreach (var reader in readers.Where(r => r.IsCompletedSuccessfully))
        {
            try
            {
                await reader.Result.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _options.Warning?.Invoke($"content cache: closing a store reader: {ex.Message}");
            }
        }
        _index.Dispose();
        _directoryLock.Dispose();
    }
}
