namespace Vfs.Cache.Content;

/// <summary>
/// Eviction: when the cached bytes pass <see cref="ContentCacheOptions.CacheSizeBytes"/>, whole objects that are
/// Clean, unopened and idle go, least recently used first, down to a low-water mark of 90% (so one more block
/// does not evict again). Dirty, uploading and open objects are never evicted. Bytes are accounted as blocks
/// become present, so the limit is checked at once, not now and then.
/// Lock order as in ContentCacheVfs.cs.
/// </summary>
public sealed partial class ContentCacheVfs
{
    private TaskCompletionSource _evictWake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Evicts down to the low-water mark if the cache is over its size; returns the number of objects evicted.</summary>
    public int RunEviction() =>
        CachedBytes > _options.CacheSizeBytes ? EvictTo(_options.CacheSizeBytes / 10 * 9) : 0;

    /// <summary>
    /// Evicts clean, unopened objects, least recently used first, until at most <paramref name="targetBytes"/> are
    /// cached or none is left to evict; returns the number evicted. <c>EvictTo(0)</c> empties what it can.
    /// </summary>
    public int EvictTo(long targetBytes)
    {
        int evicted = 0;
        lock (_table)
        {
            if (CachedBytes <= targetBytes) return 0;
            var candidates = new List<(CachedObject Object, DateTimeOffset LastAccess)>();
            foreach (var o in _byId.Values)
            {
                lock (o.Sync)
                {
                    if (Evictable(o)) candidates.Add((o, o.LastAccess));
                }
            }
            foreach (var (o, _) in candidates.OrderBy(c => c.LastAccess).ThenBy(c => c.Object.Id))
            {
                if (CachedBytes <= targetBytes) break;
                long bytes;
                lock (o.Sync)
                {
                    if (!Evictable(o)) continue;
                    o.Removed = true;
                    bytes = o.CachedBytes;
                }
                RemoveLocked(o);
                _counters.Increment(ContentCacheCounters.Evictions);
                _counters.Add(ContentCacheCounters.EvictedBytes, bytes);
                evicted++;
            }
        }
        return evicted;
    }

    private static bool Evictable(CachedObject o) =>
        !o.Removed && o.State == CachedObjectState.Clean && o.OpenHandles == 0 && o.Leases == 0 && o.InFlight.Count == 0;

    private void SignalEvictorIfOverLimit()
    {
        if (CachedBytes > _options.CacheSizeBytes)
            Interlocked.Exchange(ref _evictWake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private async Task EvictionLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var wake = Volatile.Read(ref _evictWake).Task;
            try
            {
                RunEviction();
                await Task.WhenAny(wake, Task.Delay(TimeSpan.FromSeconds(30), _time, cancellationToken)).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                _options.Warning?.Invoke($"content cache: evictor: {ex.Message}");
            }
        }
    }
}
