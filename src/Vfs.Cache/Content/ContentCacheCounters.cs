namespace Vfs.Cache.Content;

/// <summary>
/// The cache's event counters, bumped lock-free on the hot path and written to the index as deltas in one batch
/// (never one SQLite write per read). The names are the keys of the index's <c>counters</c> table.
/// </summary>
internal sealed class ContentCacheCounters
{
    public const string HitRequests = "hit_requests";
    public const string MissRequests = "miss_requests";
    public const string HitBytes = "hit_bytes";
    public const string MissBytes = "miss_bytes";
    public const string BytesFromCache = "bytes_from_cache";
    public const string BytesFromInner = "bytes_from_inner";
    public const string Evictions = "evictions";
    public const string EvictedBytes = "evicted_bytes";
    public const string UploadsDone = "uploads_done";
    public const string UploadsFailed = "uploads_failed";
    public const string BytesUploaded = "bytes_uploaded";

    public static readonly string[] Names =
        [HitRequests, MissRequests, HitBytes, MissBytes, BytesFromCache, BytesFromInner, Evictions, EvictedBytes, UploadsDone, UploadsFailed, BytesUploaded];

    private readonly long[] _pending = new long[Names.Length];

    public void Add(string name, long delta)
    {
        if (delta != 0) Interlocked.Add(ref _pending[Array.IndexOf(Names, name)], delta);
    }

    public void Increment(string name) => Add(name, 1);

    /// <summary>The deltas since the last call, zeroing them (the caller persists them).</summary>
    public Dictionary<string, long> TakeDeltas()
    {
        var deltas = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int i = 0; i < Names.Length; i++) deltas[Names[i]] = Interlocked.Exchange(ref _pending[i], 0);
        return deltas;
    }

    /// <summary>Puts deltas back after a failed write, so they are not lost.</summary>
    public void Restore(IReadOnlyDictionary<string, long> deltas)
    {
        foreach (var (name, delta) in deltas) Add(name, delta);
    }

    /// <summary>The deltas not yet persisted, without taking them.</summary>
    public Dictionary<string, long> Peek()
    {
        var map = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int i = 0; i < Names.Length; i++) map[Names[i]] = Interlocked.Read(ref _pending[i]);
        return map;
    }
}
