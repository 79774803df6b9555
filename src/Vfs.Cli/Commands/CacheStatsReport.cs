using System.Globalization;
using System.Text;
using System.Text.Json;
using Vfs.Cache.Content;

namespace Vfs.Cli.Commands;

/// <summary>
/// One cache directory's figures as `vfs cache stats` prints them: a table for people, or JSON for scripts. The JSON
/// field names are a stable interface (documented in docs/CLI.md): add fields, never rename or remove them.
/// </summary>
public sealed record CacheStatsReport(string CacheDirectory, bool InUse, ContentCacheStatistics Stats)
{
    /// <summary>Bumped only if a field ever changes meaning.</summary>
    public const int JsonVersion = 1;

    public double ByteHitRatio => Stats.HitBytes + Stats.MissBytes == 0 ? 0 : (double)Stats.HitBytes / (Stats.HitBytes + Stats.MissBytes);

    public static string ToJson(IReadOnlyList<CacheStatsReport> reports)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("version", JsonVersion);
            json.WriteStartArray("caches");
            foreach (var report in reports) report.WriteJson(json);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private void WriteJson(Utf8JsonWriter json)
    {
        var s = Stats;
        json.WriteStartObject();
        json.WriteString("cacheDir", CacheDirectory);
        json.WriteString("state", InUse ? "mounted" : "stopped");
        json.WriteNumber("hitRequests", s.HitRequests);
        json.WriteNumber("missRequests", s.MissRequests);
        json.WriteNumber("requestHitRatio", Math.Round(s.HitRatio, 4));
        json.WriteNumber("hitBytes", s.HitBytes);
        json.WriteNumber("missBytes", s.MissBytes);
        json.WriteNumber("byteHitRatio", Math.Round(ByteHitRatio, 4));
        json.WriteNumber("bytesFromCache", s.BytesFromCache);
        json.WriteNumber("bytesFromStore", s.BytesFromInner);
        json.WriteNumber("cachedObjects", s.CachedObjects);
        json.WriteNumber("cachedBytes", s.CachedBytes);
        if (s.CacheSizeLimitBytes is { } limit) json.WriteNumber("cacheLimitBytes", limit);
        else json.WriteNull("cacheLimitBytes");
        json.WriteNumber("dirtyObjects", s.DirtyObjects);
        json.WriteNumber("dirtyBytes", s.DirtyBytes);
        json.WriteNumber("uploadsDone", s.UploadsDone);
        json.WriteNumber("uploadsFailed", s.UploadsFailed);
        json.WriteNumber("bytesUploaded", s.BytesUploaded);
        json.WriteNumber("evictions", s.Evictions);
        json.WriteNumber("evictedBytes", s.EvictedBytes);
        json.WriteNull("s3Requests"); // not persisted yet: see docs/CLI.md
        json.WriteEndObject();
    }

    public string ToTable()
    {
        var s = Stats;
        string limit = s.CacheSizeLimitBytes is { } l ? $"{Bytes(s.CachedBytes)} of {Bytes(l)} ({Percent(l == 0 ? 0 : (double)s.CachedBytes / l)})" : $"{Bytes(s.CachedBytes)} (limit not recorded)";
        var rows = new (string, string)[]
        {
            ("cache dir", CacheDirectory),
            ("state", InUse ? "mounted (counters lag by up to the index flush interval)" : "stopped"),
            ("hit ratio (requests)", $"{Percent(s.HitRatio)}  ({Count(s.HitRequests)} hits, {Count(s.MissRequests)} misses)"),
            ("hit ratio (bytes)", $"{Percent(ByteHitRatio)}  ({Bytes(s.HitBytes)} hit, {Bytes(s.MissBytes)} missed)"),
            ("read from cache / store", $"{Bytes(s.BytesFromCache)} / {Bytes(s.BytesFromInner)}"),
            ("cached", $"{limit}, {Count(s.CachedObjects)} objects"),
            ("pending upload", $"{Bytes(s.DirtyBytes)} in {Count(s.DirtyObjects)} objects"),
            ("uploads", $"{Count(s.UploadsDone)} done, {Count(s.UploadsFailed)} failed, {Bytes(s.BytesUploaded)} sent"),
            ("evictions", $"{Count(s.Evictions)} ({Bytes(s.EvictedBytes)})"),
            ("S3 requests", "not recorded"),
        };
        int width = rows.Max(r => r.Item1.Length);
        var text = new StringBuilder();
        foreach (var (name, value) in rows) text.Append(name.PadRight(width)).Append("  ").Append(value).Append('\n');
        return text.ToString();
    }

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Percent(double ratio) => (ratio * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    /// <summary>Binary units, one decimal: "1.5 GiB"; plain bytes below 1 KiB.</summary>
    public static string Bytes(long n)
    {
        string[] units = ["KiB", "MiB", "GiB", "TiB", "PiB"];
        if (n < 1024) return $"{n} B";
        double value = n;
        int unit = -1;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
