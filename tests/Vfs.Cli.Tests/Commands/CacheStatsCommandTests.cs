using System.Text.Json;
using Vfs.Abstractions;
using Vfs.Abstractions.Memory;
using Vfs.Cache.Content;
using Vfs.Cli.Commands;

namespace Vfs.Cli.Tests.Commands;

/// <summary>`vfs cache stats` run as a process over cache directories filled by a real ContentCacheVfs.</summary>
public sealed class CacheStatsCommandTests : IDisposable
{
    private const int Block = ContentCacheOptions.MinBlockSize;
    private readonly string _root = Directory.CreateTempSubdirectory("vfs-stats-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private ContentCacheVfs OpenCache(string directory, IVfs store) => new(store, new ContentCacheOptions
    {
        CacheDirectory = directory,
        BlockSize = Block,
        CacheSizeBytes = 64L << 20,
        WriteBackDelay = TimeSpan.FromMinutes(1), // uploads happen only in the drain at dispose: exactly one per dirty file
    });

    /// <summary>Reads a two-block file twice (2 misses, 2 hits) and writes a 10-byte file that is uploaded at dispose.</summary>
    private static async Task UseAsync(ContentCacheVfs cache, IVfs store)
    {
        await store.WriteAllBytesAsync(VfsPath.Parse("/f"), new byte[2 * Block]);
        await cache.ReadAllBytesAsync(VfsPath.Parse("/f"));
        await cache.ReadAllBytesAsync(VfsPath.Parse("/f"));
        await cache.WriteAllBytesAsync(VfsPath.Parse("/g"), new byte[10]);
    }

    [Fact]
    public async Task Stats_MountedThenStoppedCache_JsonShowsStateCountersAndLimit()
    {
        string dir = Path.Combine(_root, "one");
        var store = new MemoryVfs();
        var cache = OpenCache(dir, store);
        await UseAsync(cache, store);
        cache.FlushIndex();
        var live = await VfsCli.RunAsync("cache", "stats", "--cache-dir", dir, "--json");
        Assert.True(live.ExitCode == 0, live.ToString());
        var liveCache = JsonDocument.Parse(live.Stdout).RootElement.GetProperty("caches")[0];
        Assert.Equal("mounted", liveCache.GetProperty("state").GetString());
        Assert.Equal(1, liveCache.GetProperty("dirtyObjects").GetInt64()); // /g waits for upload
        Assert.Equal(10, liveCache.GetProperty("dirtyBytes").GetInt64());
        await cache.DisposeAsync(); // drains /g

        var stopped = await VfsCli.RunAsync("cache", "stats", "--cache-dir", dir, "--json");
        Assert.True(stopped.ExitCode == 0, stopped.ToString());
        var json = JsonDocument.Parse(stopped.Stdout).RootElement;
        Assert.Equal(1, json.GetProperty("version").GetInt32());
        var c = json.GetProperty("caches")[0];
        Assert.Equal(dir, c.GetProperty("cacheDir").GetString());
        Assert.Equal("stopped", c.GetProperty("state").GetString());
        Assert.Equal(2, c.GetProperty("hitRequests").GetInt64());
        Assert.Equal(2, c.GetProperty("missRequests").GetInt64());
        Assert.Equal(0.5, c.GetProperty("requestHitRatio").GetDouble());
        Assert.Equal(2L * Block, c.GetProperty("bytesFromStore").GetInt64());
        Assert.Equal(64L << 20, c.GetProperty("cacheLimitBytes").GetInt64());
        Assert.Equal(1, c.GetProperty("uploadsDone").GetInt64());
        Assert.Equal(0, c.GetProperty("uploadsFailed").GetInt64());
        Assert.Equal(0, c.GetProperty("dirtyObjects").GetInt64());
        Assert.Equal(0, c.GetProperty("evictions").GetInt64());
        Assert.Equal(JsonValueKind.Null, c.GetProperty("s3Requests").ValueKind);

        var table = await VfsCli.RunAsync("cache", "stats", "--cache-dir", dir);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Matches(@"(?m)^hit ratio \(requests\) +50\.0%  \(2 hits, 2 misses\)$", table.Stdout);
        Assert.Matches(@"(?m)^cached +\S+ \S+ of 64\.0 MiB", table.Stdout);
        Assert.Matches(@"(?m)^uploads +1 done, 0 failed, 10 B sent$", table.Stdout);
    }

    [Fact]
    public async Task Stats_DefaultRootWithTwoCaches_ListsEachAndSourcePicksOne()
    {
        string root = Path.Combine(_root, "xdg");
        string layeredvfs = Path.Combine(root, "layeredvfs");
        string a = Path.Combine(layeredvfs, CacheMountId.Of("s3://alpha"));
        string b = Path.Combine(layeredvfs, CacheMountId.Of("s3://beta/prefix", "http://127.0.0.1:9000"));
        foreach (var dir in new[] { a, b })
        {
            var store = new MemoryVfs();
            await using var cache = OpenCache(dir, store);
            await UseAsync(cache, store);
        }
        string[] env = ["XDG_CACHE_HOME=" + root];

        var both = await VfsCli.RunWithEnvironmentAsync(env, "cache", "stats", "--json");
        Assert.True(both.ExitCode == 0, both.ToString());
        var caches = JsonDocument.Parse(both.Stdout).RootElement.GetProperty("caches");
        Assert.Equal(new List<string> { a, b }, caches.EnumerateArray().Select(c => c.GetProperty("cacheDir").GetString()!).ToList());

        var one = await VfsCli.RunWithEnvironmentAsync(env, "cache", "stats", "--source", "s3://beta/prefix", "--endpoint", "http://127.0.0.1:9000/", "--json");
        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.Equal(b, JsonDocument.Parse(one.Stdout).RootElement.GetProperty("caches")[0].GetProperty("cacheDir").GetString());

        var none = await VfsCli.RunWithEnvironmentAsync(env, "cache", "stats", "--source", "s3://gamma");
        VfsCli.AssertOneLineError(none, 1, "no cache for s3://gamma");
    }

    [Fact]
    public void MountId_SameAsTheStackNamesIt_SixteenHexDigitsOfEndpointAndSource()
    {
        // SHA-256("aws s3://bucket/p")[..16], the name `vfs mount s3://bucket/p/` gives its cache (StackCaching.MountId)
        string expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("aws s3://bucket/p"u8.ToArray()))[..16];
        Assert.Equal(expected, CacheMountId.Of("s3://bucket/p/"));
        Assert.NotEqual(expected, CacheMountId.Of("s3://bucket/p", "http://127.0.0.1:9000"));
    }

    [Fact]
    public async Task Stats_SourceMemory_UsageErrorExit2()
    {
        var result = await VfsCli.RunAsync("cache", "stats", "--source", "memory:");
        VfsCli.AssertOneLineError(result, 2, "only s3:// and local: sources");
    }

    [Fact]
    public async Task Stats_NotACacheDirectory_OneLineAndExit1()
    {
        var result = await VfsCli.RunAsync("cache", "stats", "--cache-dir", _root);
        VfsCli.AssertOneLineError(result, 1, "is not a content cache directory");
    }

    [Fact]
    public async Task Stats_EmptyDefaultRoot_OneLineAndExit1()
    {
        var result = await VfsCli.RunWithEnvironmentAsync(["XDG_CACHE_HOME=" + _root], "cache", "stats");
        VfsCli.AssertOneLineError(result, 1, "no content cache under");
    }
}
