using Microsoft.Data.Sqlite;
using Vfs.Abstractions;

namespace Vfs.Cache.Content;

/// <summary>
/// What <c>vfs cache stats</c> shows: the persisted counters plus gauges computed from the index. Readable from a
/// stopped cache directory (<see cref="Read"/>) or from a live instance (<see cref="ContentCacheVfs.GetStatistics"/>).
/// </summary>
public sealed record ContentCacheStatistics
{
    public long HitRequests { get; init; }
    public long MissRequests { get; init; }
    public long HitBytes { get; init; }
    public long MissBytes { get; init; }
    public long BytesFromCache { get; init; }
    public long BytesFromInner { get; init; }
    public long Evictions { get; init; }
    public long EvictedBytes { get; init; }
    public long UploadsDone { get; init; }
    public long UploadsFailed { get; init; }
    public long BytesUploaded { get; init; }

    /// <summary>Objects in the index (any state).</summary>
    public long CachedObjects { get; init; }

    /// <summary>Bytes held in spill files (present blocks, counted whole).</summary>
    public long CachedBytes { get; init; }

    /// <summary>The size limit (<c>--cache-size</c>) the last instance ran with; null when it was never recorded.</summary>
    public long? CacheSizeLimitBytes { get; init; }

    /// <summary>Objects waiting for (or in) upload.</summary>
    public long DirtyObjects { get; init; }

    /// <summary>Size of the objects waiting for upload: what the uploads will send.</summary>
    public long DirtyBytes { get; init; }

    /// <summary>Hit requests over all read requests; 0 when there were none.</summary>
    public double HitRatio => HitRequests + MissRequests == 0 ? 0 : (double)HitRequests / (HitRequests + MissRequests);

    /// <summary>True when <paramref name="directory"/> holds a content cache index (a mount's cache directory).</summary>
    public static bool IsCacheDirectory(string directory) => File.Exists(Path.Combine(directory, ContentIndex.FileName));

    /// <summary>
    /// Reads the statistics of the cache in <paramref name="cacheDirectory"/>, whether a mount is using it or not
    /// (WAL lets a reader in beside the writer). A live mount's counters lag by at most its index flush interval.
    /// </summary>
    /// <exception cref="VfsException">ENOENT when the directory holds no cache index.</exception>
    public static ContentCacheStatistics Read(string cacheDirectory)
    {
        var indexPath = Path.Combine(cacheDirectory, ContentIndex.FileName);
        if (!File.Exists(indexPath)) throw new VfsException(Errno.ENOENT, $"no content cache index in {cacheDirectory}");
        try
        {
            using var db = new SqliteConnection(ContentIndex.ConnectionString(cacheDirectory, readOnly: true));
            db.Open();
            var counters = ContentIndex.ReadCounters(db);
            using var cmd = db.CreateCommand();
            cmd.CommandText = """
                SELECT
                  (SELECT COUNT(*) FROM objects),
                  (SELECT COALESCE(SUM(o.block_size), 0) FROM blocks b JOIN objects o ON o.id = b.object_id),
                  (SELECT COUNT(*) FROM objects WHERE state IN (1, 2)),
                  (SELECT COALESCE(SUM(size), 0) FROM objects WHERE state IN (1, 2)),
                  (SELECT value FROM meta WHERE key = $limit)
                """;
            cmd.Parameters.AddWithValue("$limit", ContentIndex.CacheSizeKey);
            using var reader = cmd.ExecuteReader();
            reader.Read();
            return FromCounters(counters) with
            {
                CachedObjects = reader.GetInt64(0),
                CachedBytes = reader.GetInt64(1),
                DirtyObjects = reader.GetInt64(2),
                DirtyBytes = reader.GetInt64(3),
                CacheSizeLimitBytes = reader.IsDBNull(4) ? null : long.Parse(reader.GetString(4), System.Globalization.CultureInfo.InvariantCulture),
            };
        }
        catch (SqliteException ex)
        {
            throw ContentIndex.Translate(ex, $"cannot read cache index in {cacheDirectory}");
        }
    }

    internal static ContentCacheStatistics FromCounters(IReadOnlyDictionary<string, long> c)
    {
        long Get(string name) => c.TryGetValue(name, out var v) ? v : 0;
        return new ContentCacheStatistics
        {
            HitRequests = Get(ContentCacheCounters.HitRequests),
            MissRequests = Get(ContentCacheCounters.MissRequests),
            HitBytes = Get(ContentCacheCounters.HitBytes),
            MissBytes = Get(ContentCacheCounters.MissBytes),
            BytesFromCache = Get(ContentCacheCounters.BytesFromCache),
            BytesFromInner = Get(ContentCacheCounters.BytesFromInner),
            Evictions = Get(ContentCacheCounters.Evictions),
            EvictedBytes = Get(ContentCacheCounters.EvictedBytes),
            UploadsDone = Get(ContentCacheCounters.UploadsDone),
            UploadsFailed = Get(ContentCacheCounters.UploadsFailed),
            BytesUploaded = Get(ContentCacheCounters.BytesUploaded),
        };
    }
}
