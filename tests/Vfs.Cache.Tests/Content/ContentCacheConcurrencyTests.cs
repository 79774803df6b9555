using Vfs.Abstractions;
using Vfs.Abstractions.Memory;
using Vfs.Cache.Content;

namespace Vfs.Cache.Tests.Content;

/// <summary>Many handles at once, with the background uploader and evictor running: no deadlock, no lost byte.</summary>
public sealed class ContentCacheConcurrencyTests
{
    private const int Block = ContentCacheOptions.MinBlockSize;

    [Fact]
    public async Task ParallelWritersReadersAndUploader_DisjointRanges_AllBytesArrive()
    {
        await using var fixture = new CacheFixture();
        var original = ContentCacheVfsTests.Pattern(16 * Block, 30);
        await fixture.Store.WriteAllBytesAsync(ContentCacheVfsTests.P("shared"), original);
        var expected = (byte[])original.Clone();
        var cache = new ContentCacheVfs(fixture.Store, fixture.Options(o =>
        {
            o.RunBackgroundLoops = true;
            o.WriteBackDelay = TimeSpan.Zero;
            o.CacheSizeBytes = 4L * Block; // the evictor runs too (only other, clean objects can go)
        }));
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                var random = new Random(w);
                await using var file = await ContentCacheVfsTests.OpenAsync(cache, "shared", VfsOpenFlags.ReadWrite);
                for (int i = 0; i < 30; i++)
                {
                    // writer w owns every 4th 1000-byte slot, so the final content is known
                    int slot = random.Next(0, 16 * Block / 1000 / 4) * 4 + w;
                    var data = ContentCacheVfsTests.Pattern(1000, w * 1000 + i);
                    lock (expected) data.CopyTo(expected, slot * 1000);
                    await file.WriteAsync(slot * 1000L, data, timeout.Token);
                    if (i % 7 == 0) await file.FlushAsync(timeout.Token);
                    if (i % 11 == 0) await file.FsyncAsync(timeout.Token);
                }
            })).ToList();
            var readers = Enumerable.Range(0, 3).Select(r => Task.Run(async () =>
            {
                var random = new Random(100 + r);
                for (int i = 0; i < 20; i++)
                {
                    await using var file = await ContentCacheVfsTests.OpenAsync(cache, "shared", VfsOpenFlags.Read);
                    var bytes = await ContentCacheVfsTests.ReadRangeAsync(file, random.Next(0, 14 * Block), 2 * Block);
                    Assert.Equal(2 * Block, bytes.Length);
                    await cache.WriteAllBytesAsync(ContentCacheVfsTests.P($"other{r}-{i % 3}"), ContentCacheVfsTests.Pattern(Block, i));
                }
            })).ToList();
            await Task.WhenAll(writers.Concat(readers)).WaitAsync(timeout.Token);
            Assert.Equal(expected, await cache.ReadAllBytesAsync(ContentCacheVfsTests.P("shared"), timeout.Token));
        }
        finally
        {
            await cache.DisposeAsync();
        }
        Assert.Equal(expected, await fixture.Store.ReadAllBytesAsync(ContentCacheVfsTests.P("shared")));
        Assert.Equal(0, ContentCacheStatistics.Read(fixture.Directory).DirtyObjects);
    }
}
