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

    [Fact]
    public async Task Open_StoreAttributesReadAcrossOwnUpload_WriterKeepsTheObject()
    {
        var store = new AttributesHoldingStore(new MemoryVfs());
        await using var fixture = new CacheFixture(store);
        await fixture.Store.WriteAllBytesAsync(ContentCacheVfsTests.P("f"), ContentCacheVfsTests.Pattern(2 * Block, 1));
        var cache = fixture.Open();
        var expected = ContentCacheVfsTests.Pattern(2 * Block, 1);
        try
        {
            await using var writer = await ContentCacheVfsTests.OpenAsync(cache, "f", VfsOpenFlags.ReadWrite);
            await ContentCacheVfsTests.ReadRangeAsync(writer, 0, 2 * Block);

            // A reader's open reads the store's attributes, then stalls before it looks at the table again.
            store.HoldNext = true;
            var reader = Task.Run(async () => await ContentCacheVfsTests.OpenAsync(cache, "f", VfsOpenFlags.Read));
            await store.Held.Task.WaitAsync(TimeSpan.FromSeconds(30));

            // Meanwhile the writer changes the object and uploads it: the stalled attributes are now older than ours.
            var first = ContentCacheVfsTests.Pattern(100, 2);
            first.CopyTo(expected, 0);
            await writer.WriteAsync(0, first, CancellationToken.None);
            await writer.FsyncAsync(CancellationToken.None);
            store.Release();
            await using var opened = await reader.WaitAsync(TimeSpan.FromSeconds(30));

            // The writer's later bytes must still reach the store, and the reader sees them too.
            var second = ContentCacheVfsTests.Pattern(100, 3);
            second.CopyTo(expected, Block);
            await writer.WriteAsync(Block, second, CancellationToken.None);
            await writer.FlushAsync(CancellationToken.None);
            Assert.Equal(0, await cache.DrainAsync());
            Assert.Equal(expected, await fixture.Store.ReadAllBytesAsync(ContentCacheVfsTests.P("f")));
            Assert.Equal(expected, await ContentCacheVfsTests.ReadRangeAsync(opened, 0, 2 * Block));
        }
        finally
        {
            await cache.DisposeAsync();
        }
        Assert.Equal(expected, await fixture.Store.ReadAllBytesAsync(ContentCacheVfsTests.P("f")));
    }

    /// <summary>A store whose next attribute read, once armed, answers only after <see cref="Release"/> (with what it read before).</summary>
    private sealed class AttributesHoldingStore(IVfs inner) : ForwardingVfs(inner)
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public volatile bool HoldNext;

        public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _release.TrySetResult();

        public override async ValueTask<VfsAttributes?> TryGetAttrAsync(VfsPath path, CancellationToken cancellationToken)
        {
            var attributes = await Inner.TryGetAttrAsync(path, cancellationToken);
            if (HoldNext)
            {
                HoldNext = false;
                Held.TrySetResult();
                await _release.Task.WaitAsync(cancellationToken);
            }
            return attributes;
        }
    }
}
