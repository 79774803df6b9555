using Microsoft.Data.Sqlite;
using Vfs.Abstractions;

namespace Vfs.Cache.Content;

/// <summary>
/// The cache's truth on disk: <c>index.db</c> (SQLite, WAL) with the cached objects, the blocks present in their
/// spill files, and the persisted counters. Start-up reads it and never walks the cache directory.
/// </summary>
/// <remarks>
/// Lock order: <c>_sync</c> is a leaf — callers may hold a table or entry lock; nothing else is taken under it.
/// SQLite calls are synchronous and short (no await happens under the lock). Every multi-row change is one
/// transaction, so a crash or a full disk (SQLITE_FULL, reported as ENOSPC) leaves the index as before or after.
/// synchronous=NORMAL in WAL mode survives a killed process; surviving power loss is what fsync-to-store is for.
/// </remarks>
internal sealed class ContentIndex : IDisposable
{
    private const int SchemaVersion = 1;
    private readonly object _sync = new();
    private readonly SqliteConnection _db;

    private ContentIndex(SqliteConnection db) => _db = db;

    public static string FileName => "index.db";

    public static ContentIndex Open(string cacheDirectory)
    {
        var db = new SqliteConnection(ConnectionString(cacheDirectory, readOnly: false));
        try
        {
            db.Open();
            Execute(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;");
            Execute(db, """
                CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS objects(
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    path TEXT UNIQUE,
                    state INTEGER NOT NULL,
                    size INTEGER NOT NULL,
                    fetch_limit INTEGER NOT NULL,
                    block_size INTEGER NOT NULL,
                    etag TEXT,
                    inner_size INTEGER NOT NULL,
                    inner_mtime INTEGER NOT NULL,
                    mtime INTEGER NOT NULL,
                    mode INTEGER NOT NULL,
                    uid INTEGER NOT NULL,
                    gid INTEGER NOT NULL,
                    last_access INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS blocks(
                    object_id INTEGER NOT NULL,
                    block INTEGER NOT NULL,
                    PRIMARY KEY(object_id, block)) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
                """);
            var version = Scalar(db, "SELECT value FROM meta WHERE key='schema'");
            if (version is null)
                Execute(db, $"INSERT INTO meta(key, value) VALUES('schema', '{SchemaVersion}')");
            else if (Convert.ToInt32(version, System.Globalization.CultureInfo.InvariantCulture) != SchemaVersion)
                throw new VfsException(Errno.EINVAL, $"cache index {Path.Combine(cacheDirectory, FileName)} has schema {version}, this build reads {SchemaVersion}");
            return new ContentIndex(db);
        }
        catch (SqliteException ex)
        {
            db.Dispose();
            throw Translate(ex, $"cannot open cache index in {cacheDirectory}");
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>The meta key holding the instance's <see cref="ContentCacheOptions.CacheSizeBytes"/>, for `vfs cache stats` of a stopped cache.</summary>
    internal const string CacheSizeKey = "cache_size_bytes";

    /// <summary>Records the size limit the current instance runs with (overwrites the previous instance's).</summary>
    public void SetCacheSizeLimit(long bytes)
    {
        lock (_sync)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "INSERT INTO meta(key, value) VALUES($k, $v) ON CONFLICT(key) DO UPDATE SET value = $v";
            cmd.Parameters.AddWithValue("$k", CacheSizeKey);
            cmd.Parameters.AddWithValue("$v", bytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
            cmd.ExecuteNonQuery();
        }
    }

    internal static string ConnectionString(string cacheDirectory, bool readOnly) => new SqliteConnectionStringBuilder
    {
        DataSource = Path.Combine(cacheDirectory, FileName),
        Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
        Pooling = false, // a pooled connection would outlive Dispose and keep the files open
    }.ToString();

    public List<ObjectRecord> LoadObjects()
    {
        lock (_sync)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT id, path, state, size, fetch_limit, block_size, etag, inner_size, inner_mtime, mtime, mode, uid, gid, last_access FROM objects";
            using var reader = cmd.ExecuteReader();
            var list = new List<ObjectRecord>();
            while (reader.Read())
            {
                list.Add(new ObjectRecord
                {
                    Id = reader.GetInt64(0),
                    Path = reader.IsDBNull(1) ? null : reader.GetString(1),
                    State = (CachedObjectState)reader.GetInt32(2),
                    Size = reader.GetInt64(3),
                    FetchLimit = reader.GetInt64(4),
                    BlockSize = reader.GetInt32(5),
                    ETag = reader.IsDBNull(6) ? null : reader.GetString(6),
                    InnerSize = reader.GetInt64(7),
                    InnerModifiedTicks = reader.GetInt64(8),
                    ModifiedTicks = reader.GetInt64(9),
                    Mode = reader.GetInt32(10),
                    Uid = (uint)reader.GetInt64(11),
                    Gid = (uint)reader.GetInt64(12),
                    LastAccessTicks = reader.GetInt64(13),
                });
            }
            return list;
        }
    }

    /// <summary>Present blocks of every object, by object id.</summary>
    public Dictionary<long, List<long>> LoadBlocks()
    {
        lock (_sync)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT object_id, block FROM blocks";
            using var reader = cmd.ExecuteReader();
            var map = new Dictionary<long, List<long>>();
            while (reader.Read())
            {
                long id = reader.GetInt64(0);
                if (!map.TryGetValue(id, out var list)) map[id] = list = [];
                list.Add(reader.GetInt64(1));
            }
            return map;
        }
    }

    /// <summary>Inserts a new object row and returns its id (ids are never reused, so spill file names are unique forever).</summary>
    public long Insert(ObjectRecord record)
    {
        lock (_sync)
        {
            return Run(tx =>
            {
                using var cmd = Command(tx, """
                    INSERT INTO objects(path, state, size, fetch_limit, block_size, etag, inner_size, inner_mtime, mtime, mode, uid, gid, last_access)
                    VALUES($path, $state, $size, $fetch, $bs, $etag, $isize, $imtime, $mtime, $mode, $uid, $gid, $access);
                    SELECT last_insert_rowid();
                    """);
                Bind(cmd, record);
                return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            });
        }
    }

    /// <summary>
    /// Writes one object's row, adds <paramref name="newBlocks"/> and drops its blocks from
    /// <paramref name="dropBlocksFrom"/> on, in one transaction.
    /// </summary>
    public void Commit(ObjectRecord record, IReadOnlyCollection<long>? newBlocks = null, long? dropBlocksFrom = null)
    {
        lock (_sync)
        {
            Run(tx =>
            {
                if (dropBlocksFrom is long first) DropBlocks(tx, record.Id, first);
                using (var cmd = Command(tx, """
                    UPDATE objects SET path=$path, state=$state, size=$size, fetch_limit=$fetch, block_size=$bs, etag=$etag,
                        inner_size=$isize, inner_mtime=$imtime, mtime=$mtime, mode=$mode, uid=$uid, gid=$gid, last_access=$access
                    WHERE id=$id
                    """))
                {
                    Bind(cmd, record);
                    cmd.Parameters.AddWithValue("$id", record.Id);
                    cmd.ExecuteNonQuery();
                }
                if (newBlocks is { Count: > 0 }) AddBlocks(tx, record.Id, newBlocks);
                return 0;
            });
        }
    }

    /// <summary>Sets the paths of several objects at once (a rename); null detaches. Nulls first, so swaps never collide.</summary>
    public void SetPaths(IReadOnlyList<(long Id, string? Path, CachedObjectState State)> changes)
    {
        lock (_sync)
        {
            Run(tx =>
            {
                foreach (var (id, _, _) in changes)
                {
                    using var clear = Command(tx, "UPDATE objects SET path=NULL WHERE id=$id");
                    clear.Parameters.AddWithValue("$id", id);
                    clear.ExecuteNonQuery();
                }
                foreach (var (id, path, state) in changes)
                {
                    using var set = Command(tx, "UPDATE objects SET path=$path, state=$state WHERE id=$id");
                    set.Parameters.AddWithValue("$id", id);
                    set.Parameters.AddWithValue("$path", (object?)path ?? DBNull.Value);
                    set.Parameters.AddWithValue("$state", (int)state);
                    set.ExecuteNonQuery();
                }
                return 0;
            });
        }
    }

    public void Delete(IReadOnlyCollection<long> ids)
    {
        if (ids.Count == 0) return;
        lock (_sync)
        {
            Run(tx =>
            {
                foreach (var id in ids)
                {
                    DropBlocks(tx, id, 0);
                    using var cmd = Command(tx, "DELETE FROM objects WHERE id=$id");
                    cmd.Parameters.AddWithValue("$id", id);
                    cmd.ExecuteNonQuery();
                }
                return 0;
            });
        }
    }

    /// <summary>The batched writes: access times, fetched-block presence and counter deltas in one transaction.</summary>
    public void WriteBatch(
        IReadOnlyCollection<(long Id, long LastAccessTicks)> accesses,
        IReadOnlyCollection<(long Id, IReadOnlyCollection<long> Blocks)> presence,
        IReadOnlyDictionary<string, long> counterDeltas)
    {
        if (accesses.Count == 0 && presence.Count == 0 && counterDeltas.Values.All(v => v == 0)) return;
        lock (_sync)
        {
            Run(tx =>
            {
                foreach (var (id, ticks) in accesses)
                {
                    using var cmd = Command(tx, "UPDATE objects SET last_access=$t WHERE id=$id");
                    cmd.Parameters.AddWithValue("$t", ticks);
                    cmd.Parameters.AddWithValue("$id", id);
                    cmd.ExecuteNonQuery();
                }
                foreach (var (id, blocks) in presence) AddBlocks(tx, id, blocks);
                foreach (var (name, delta) in counterDeltas)
                {
                    if (delta == 0) continue;
                    using var cmd = Command(tx, "INSERT INTO counters(name, value) VALUES($n, $d) ON CONFLICT(name) DO UPDATE SET value = value + $d");
                    cmd.Parameters.AddWithValue("$n", name);
                    cmd.Parameters.AddWithValue("$d", delta);
                    cmd.ExecuteNonQuery();
                }
                return 0;
            });
        }
    }

    public Dictionary<string, long> ReadCounters()
    {
        lock (_sync) return ReadCounters(_db);
    }

    internal static Dictionary<string, long> ReadCounters(SqliteConnection db)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT name, value FROM counters";
        using var reader = cmd.ExecuteReader();
        var map = new Dictionary<string, long>(StringComparer.Ordinal);
        while (reader.Read()) map[reader.GetString(0)] = reader.GetInt64(1);
        return map;
    }

    public void Dispose()
    {
        lock (_sync) _db.Dispose();
    }

    /// <summary>SQLITE_FULL (disk full) becomes ENOSPC for the writer; anything else EIO. The transaction was rolled back.</summary>
    internal static VfsException Translate(SqliteException ex, string what) =>
        ex.SqliteErrorCode == 13
            ? new VfsException(Errno.ENOSPC, $"{what}: cache disk full", ex)
            : new VfsException(Errno.EIO, $"{what}: {ex.Message}", ex);

    private T Run<T>(Func<SqliteTransaction, T> work)
    {
        try
        {
            using var tx = _db.BeginTransaction();
            var result = work(tx);
            tx.Commit();
            return result;
        }
        catch (SqliteException ex)
        {
            throw Translate(ex, "cache index write failed");
        }
    }

    private static void AddBlocks(SqliteTransaction tx, long id, IEnumerable<long> blocks)
    {
        using var cmd = Command(tx, "INSERT OR IGNORE INTO blocks(object_id, block) VALUES($id, $b)");
        var idParam = cmd.Parameters.AddWithValue("$id", id);
        var blockParam = cmd.Parameters.Add("$b", SqliteType.Integer);
        foreach (var block in blocks)
        {
            blockParam.Value = block;
            cmd.ExecuteNonQuery();
        }
    }

    private static void DropBlocks(SqliteTransaction tx, long id, long first)
    {
        using var cmd = Command(tx, "DELETE FROM blocks WHERE object_id=$id AND block >= $first");
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$first", first);
        cmd.ExecuteNonQuery();
    }

    private static SqliteCommand Command(SqliteTransaction tx, string sql)
    {
        var cmd = tx.Connection!.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return cmd;
    }

    private static void Bind(SqliteCommand cmd, ObjectRecord r)
    {
        cmd.Parameters.AddWithValue("$path", (object?)r.Path ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$state", (int)r.State);
        cmd.Parameters.AddWithValue("$size", r.Size);
        cmd.Parameters.AddWithValue("$fetch", r.FetchLimit);
        cmd.Parameters.AddWithValue("$bs", r.BlockSize);
        cmd.Parameters.AddWithValue("$etag", (object?)r.ETag ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$isize", r.InnerSize);
        cmd.Parameters.AddWithValue("$imtime", r.InnerModifiedTicks);
        cmd.Parameters.AddWithValue("$mtime", r.ModifiedTicks);
        cmd.Parameters.AddWithValue("$mode", r.Mode);
        cmd.Parameters.AddWithValue("$uid", (long)r.Uid);
        cmd.Parameters.AddWithValue("$gid", (long)r.Gid);
        cmd.Parameters.AddWithValue("$access", r.LastAccessTicks);
    }

    private static void Execute(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }
}
