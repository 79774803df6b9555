using System.Text;
using Vfs.Abstractions;
using Vfs.Abstractions.Memory;
using Vfs.Cache.Content;

namespace Vfs.Cache.Tests.Content;

/// <summary>The write-back cache over MemoryVfs: data path, uploads, namespace, staleness, counters.</summary>
public sealed class ContentCacheVfsTests
{
    private const int Block = ContentCacheOptions.MinBlockSize;
    private static readonly CancellationToken None = CancellationToken.None;

    internal static VfsPath P(string path) => VfsPath.Parse(path);

    internal static byte[] Pattern(int length, int seed)
    {
        var data = new byte[length];
        var random = new Random(seed);
        random.NextBytes(data);
        return data;
    }

    internal static async Task<IVfsFile> OpenAsync(IVfs vfs, string path, VfsOpenFlags flags) =>
        await vfs.OpenAsync(P(path), flags, VfsCreateOptions.File, None);

    internal static async Task<byte[]> ReadRangeAsync(IVfsFile file, long offset, int count)
    {
        var buffer = new byte[count];
        int total = 0;
        while (total < count)
        {
            int n = await file.ReadAsync(offset + total, buffer.AsMemory(total), None);
            if (n == 0) break;
            total += n;
        }
        return buffer[..total];
    }

    /// <summary>Makes every queued upload due and runs the uploader once.</summary>
    internal static async Task<int> UploadDueAsync(CacheFixture fixture, ContentCacheVfs cache)
    {
        fixture.Clock.Advance(TimeSpan.FromMinutes(10));
        return await cache.RunUploadsAsync(None);
    }

    [Fact]
    public async Task Write_RandomOffsetsAcrossBlocks_ReadBackThenUploadedWhole()
    {
        await using var fixture = new CacheFixture();
        var expected = new byte[5 * Block + 123];
        await using var cache = fixture.Open();
        var random = new Random(7);
        await using (var file = await OpenAsync(cache, "f", VfsOpenFlags.ReadWrite | VfsOpenFlags.Create))
        {
            for (int i = 0; i < 40; i++)
            {
                int length = random.Next(1, 2 * Block);
                int offset = random.Next(0, expected.Length - length);
                var data = Pattern(length, i);
                data.CopyTo(expected, offset);
                await file.WriteAsync(offset, data, None);
            }
            await file.WriteAsync(expected.Length - 1, new[] { expected[^1] }, None); // the exact end
            Assert.Equal(expected, await ReadRangeAsync(file, 0, expected.Length + 10));
            Assert.Equal(expected[(Block - 5)..(2 * Block + 5)], await ReadRangeAsync(file, Block - 5, Block + 10));
        }

        Assert.Equal(0, (await fixture.Store.GetAttrAsync(P("f"), None)).Size); // created empty in the store, not yet uploaded
        Assert.Equal(expected.Length, (await cache.GetAttrAsync(P("f"), None)).Size); // the cache shows the local size
        Assert.Equal(1, await UploadDueAsync(fixture, cache));
        Assert.Equal(expected, await fixture.Store.ReadAllBytesAsync(P("f"), None));
        Assert.Equal(0, cache.GetStatistics().DirtyObjects);
    }

    [Fact]
    public async Task Read_AcrossBlockBoundary_FetchesOnlyTouchedBlocksThenHits()
    {
        await using var fixture = new CacheFixture();
        var content = Pattern(6 * Block, 1);
        await fixture.Store.WriteAllBytesAsync(P("big"), content);
        await using var cache = fixture.Open();
        await using var file = await OpenAsync(cache, "big", VfsOpenFlags.Read);

        Assert.Equal(content[(2 * Block - 10)..(3 * Block + 10)], await ReadRangeAsync(file, 2 * Block - 10, Block + 20));
        var first = cache.GetStatistics();
        Assert.Equal(3L * Block, first.BytesFromInner); // blocks 1, 2, 3
        Assert.Equal(1, first.MissRequests);
        Assert.Equal(3L * Block, cache.CachedBytes);

        Assert.Equal(content[(2 * Block)..(3 * Block)], await ReadRangeAsync(file, 2 * Block, Block));
        var second = cache.GetStatistics();
        Assert.Equal(3L * Block, second.BytesFromInner);
        Assert.Equal(1, second.HitRequests);
        Assert.Equal(Block, second.HitBytes);
    }

    [Fact]
    public async Task Close_OpenedButNothingCached_LeavesNoIndexRow()
    {
        await using var fixture = new CacheFixture();
        await fixture.Store.WriteAllBytesAsync(P("unread"), Pattern(Block, 23));
        await fixture.Store.WriteAllBytesAsync(P("read"), Pattern(Block, 24));
        await using var cache = fixture.Open();
        await (await OpenAsync(cache, "unread", VfsOpenFlags.Read)).DisposeAsync();
        await cache.ReadAllBytesAsync(P("read"), None);
        Assert.Equal(1, cache.GetStatistics().CachedObjects);
    }

    [Fact]
    public async Task Read_PastEnd_ReturnsShortThenZero()
    {
        await using var fixture = new CacheFixture();
        var content = Pattern(Block + 100, 2);
        await fixture.Store.WriteAllBytesAsync(P("f"), content);
        await using var cache = fixture.Open();
        await using var file = await OpenAsync(cache, "f", VfsOpenFlags.Read);
        var buffer = new byte[500];
        Assert.Equal(100, await file.ReadAsync(Block, buffer, None));
        Assert.Equal(content[Block..], buffer[..100]);
        Assert.Equal(0, await file.ReadAsync(Block + 100, buffer, None));
    }

    [Fact]
    public async Task Append_ExistingObject_UploadsOldPlusNew()
    {
        await using var fixture = new CacheFixture();
        var old = Pattern(3 * Block + 17, 3);
        await fixture.Store.WriteAllBytesAsync(P("log"), old);
        await using var cache = fixture.Open();
        var line = Encoding.UTF8.GetBytes("one more line\n");
        for (int i = 0; i < 3; i++)
        {
            await using var file = await OpenAsync(cache, "log", VfsOpenFlags.Write | VfsOpenFlags.Append);
            await file.WriteAsync(0, line, None); // O_APPEND: the offset is ignored
        }
        Assert.Equal(17, cache.GetStatistics().BytesFromInner); // only the partial last block was read to append
        Assert.Equal(1, await UploadDueAsync(fixture, cache)); // three closes within the delay: one upload
        byte[] expected = [.. old, .. line, .. line, .. line];
        Assert.Equal(expected, await fixture.Store.ReadAllBytesAsync(P("log"), None));
    }

    [Fact]
    public async Task Truncate_DownThenUp_ZerosBetweenAndUploaded()
    {
        await using var fixture = new CacheFixture();
        var content = Pattern(3 * Block, 4);
        await fixture.Store.WriteAllBytesAsync(P("f"), content);
        await using var cache = fixture.Open();
        await using (var file = await OpenAsync(cache, "f", VfsOpenFlags.ReadWrite))
        {
            await file.TruncateAsync(100, None);
            await file.TruncateAsync(2 * Block + 1, None);
            var read = await ReadRangeAsync(file, 0, 3 * Block);
            Assert.Equal(2 * Block + 1, read.Length);
            Assert.Equal(content[..100], read[..100]);
            Assert.All(read[100..], b => Assert.Equal(0, b));
        }
        await cache.SetAttrAsync(P("f"), new VfsAttributeChanges { Size = 2 * Block + 11 }, None);
        Assert.Equal(2 * Block + 11, (await cache.GetAttrAsync(P("f"), None)).Size);
        Assert.Equal(1, await UploadDueAsync(fixture, cache));
        var stored = await fixture.Store.ReadAllBytesAsync(P("f"), None);
        Assert.Equal(2 * Block + 11, stored.Length);
        Assert.Equal(content[..100], stored[..100]);
        Assert.All(stored[100..], b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task Open_StoreChangedByOthers_NotServedFromStaleBlocks()
    {
        var storeClock = new ManualClock();
        await using var fixture = new CacheFixture(new MemoryVfs(storeClock));
        var first = Pattern(2 * Block, 5);
        await fixture.Store.WriteAllBytesAsync(P("f"), first);
        await using var cache = fixture.Open();
        Assert.Equal(first, await cache.ReadAllBytesAsync(P("f"), None));
        Assert.Equal(first, await cache.ReadAllBytesAsync(P("f"), None)); // served from the cache
        Assert.Equal(2L * Block, cache.GetStatistics().BytesFromInner);

        storeClock.Advance(TimeSpan.FromSeconds(1));
        var second = Pattern(2 * Block, 6); // same size, new content, written behind the cache's back
        await fixture.Store.WriteAllBytesAsync(P("f"), second);
        Assert.Equal(second, await cache.ReadAllBytesAsync(P("f"), None));
        Assert.Equal(4L * Block, cache.GetStatistics().BytesFromInner);
    }

    [Fact]
    public async Task Open_StoreChangedWhileOldVersionOpen_OldHandleKeepsItsVersion()
    {
        var storeClock = new ManualClock();
        await using var fixture = new CacheFixture(new MemoryVfs(storeClock));
        await fixture.Store.WriteAllBytesAsync(P("f"), Encoding.UTF8.GetBytes("old content"));
        await using var cache = fixture.Open();
        await using var oldHandle = await OpenAsync(cache, "f", VfsOpenFlags.Read);
        Assert.Equal("old content", Encoding.UTF8.GetString(await ReadRangeAsync(oldHandle, 0, 100)));

        storeClock.Advance(TimeSpan.FromSeconds(1));
        await fixture.Store.WriteAllBytesAsync(P("f"), Encoding.UTF8.GetBytes("new"));
        Assert.Equal("new", Encoding.UTF8.GetString(await cache.ReadAllBytesAsync(P("f"), None)));
        Assert.Equal("old content", Encoding.UTF8.GetString(await ReadRangeAsync(oldHandle, 0, 100)));
    }

    [Fact]
    public async Task Read_StoreChangedAfterOpenBeforeFetch_EstaleNotMixedVersions()
    {
        await using var fixture = new CacheFixture();
        await fixture.Store.WriteAllBytesAsync(P("f"), Pattern(2 * Block, 25));
        await using var cache = fixture.Open();
        await using var file = await OpenAsync(cache, "f", VfsOpenFlags.Read); // identity taken, nothing fetched
        await fixture.Store.WriteAllBytesAsync(P("f"), Pattern(2 * Block, 26));
        var error = await Assert.ThrowsAsync<VfsException>(async () => await file.ReadAsync(0, new byte[10], None));
        Assert.Equal(Errno.ESTALE, error.Errno);
        Assert.Equal(Pattern(2 * Block, 26), await cache.ReadAllBytesAsync(P("f"), None)); // a new open gets the new version
    }

    [Fact]
    public async Task Crash_DirtyObjectsNotUploaded_NextInstanceFindsAndUploadsThem()
    {
        await using var fixture = new CacheFixture();
        var a = Pattern(3 * Block + 5, 8);
        var b = Pattern(100, 9);
        await fixture.Store.WriteAllBytesAsync(P("b"), Pattern(2 * Block, 10));
        var cache = fixture.Open();
        await cache.WriteAllBytesAsync(P("a"), a);
        await using (var file = await OpenAsync(cache, "b", VfsOpenFlags.ReadWrite))
        {
            await file.TruncateAsync(0, None);
            await file.WriteAsync(0, b, None);
        }
        await cache.AbandonAsync(); // kill -9: nothing drained, nothing flushed

        Assert.Equal(0, (await fixture.Store.GetAttrAsync(P("a"), None)).Size);
        Assert.Equal(2 * Block, (await fixture.Store.GetAttrAsync(P("b"), None)).Size);
        Assert.Equal(2, ContentCacheStatistics.Read(fixture.Directory).DirtyObjects);

        await using var reopened = fixture.Open();
        Assert.Equal(a, await reopened.ReadAllBytesAsync(P("a"), None)); // served from the spill file before upload
        Assert.Equal(b.Length, (await reopened.GetAttrAsync(P("b"), None)).Size);
        Assert.Equal(0, await reopened.DrainAsync(null, None));
        Assert.Equal(a, await fixture.Store.ReadAllBytesAsync(P("a"), None));
        Assert.Equal(b, await fixture.Store.ReadAllBytesAsync(P("b"), None));
    }

    [Fact]
    public async Task Crash_DuringUpload_NextInstanceUploadsAgain()
    {
        await using var fixture = new CacheFixture(new BlockingStore(new MemoryVfs()));
        var store = (BlockingStore)fixture.Store;
        var content = Pattern(4 * Block, 11);
        var cache = fixture.Open();
        await cache.WriteAllBytesAsync(P("f"), content);
        store.BlockWrites = true;
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        var upload = cache.RunUploadsAsync(None);
        await store.WriteStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cache.AbandonAsync(); // dies mid-upload: the store's copy is truncated
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => upload.WaitAsync(TimeSpan.FromSeconds(10)));
        store.BlockWrites = false;
        Assert.NotEqual(content, await fixture.Store.ReadAllBytesAsync(P("f"), None));

        await using var reopened = fixture.Open();
        Assert.Equal(0, await reopened.DrainAsync(null, None));
        Assert.Equal(content, await fixture.Store.ReadAllBytesAsync(P("f"), None));
    }

    [Fact]
    public async Task Write_DuringUpload_ObjectStaysDirtyAndNextUploadHasIt()
    {
        await using var fixture = new CacheFixture(new BlockingStore(new MemoryVfs()));
        var store = (BlockingStore)fixture.Store;
        await using var cache = fixture.Open();
        await cache.WriteAllBytesAsync(P("f"), Encoding.UTF8.GetBytes("first"));
        store.BlockWrites = true;
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        var upload = cache.RunUploadsAsync(None);
        await store.WriteStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await using (var file = await OpenAsync(cache, "f", VfsOpenFlags.Write))
            await file.WriteAsync(0, Encoding.UTF8.GetBytes("FIRST"), None);
        store.Release();
        Assert.Equal(1, await upload.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, cache.GetStatistics().DirtyObjects); // changed during the upload: still dirty
        store.BlockWrites = false;
        Assert.Equal(1, await UploadDueAsync(fixture, cache));
        Assert.Equal("FIRST", Encoding.UTF8.GetString(await fixture.Store.ReadAllBytesAsync(P("f"), None)));
        Assert.Equal(0, cache.GetStatistics().DirtyObjects);
    }

    [Fact]
    public async Task Rename_DirtyFileBeforeUpload_UploadedUnderNewName()
    {
        await using var fixture = new CacheFixture();
        await using var cache = fixture.Open();
        await cache.MkdirAsync(P("d"), VfsCreateOptions.Directory, None);
        await cache.WriteAllBytesAsync(P("d/tmp"), Encoding.UTF8.GetBytes("saved"));
        await cache.RenameAsync(P("d/tmp"), P("d/final"), VfsRenameFlags.None, None);
        await cache.RenameAsync(P("d"), P("e"), VfsRenameFlags.None, None); // and its directory too
        Assert.Equal("saved", Encoding.UTF8.GetString(await cache.ReadAllBytesAsync(P("e/final"), None)));
        Assert.Equal(1, await UploadDueAsync(fixture, cache));
        Assert.Equal("saved", Encoding.UTF8.GetString(await fixture.Store.ReadAllBytesAsync(P("e/final"), None)));
        Assert.Null(await fixture.Store.TryGetAttrAsync(P("d"), None));
    }

    [Fact]
    public async Task Rename_OverDirtyTarget_TargetDiscardedSourceUploaded()
    {
        await using var fixture = new CacheFixture();
        await using var cache = fixture.Open();
        await cache.WriteAllBytesAsync(P("target"), Encoding.UTF8.GetBytes("old target"));
        await cache.WriteAllBytesAsync(P("new"), Encoding.UTF8.GetBytes("new content"));
        await cache.RenameAsync(P("new"), P("target"), VfsRenameFlags.None, None);
        Assert.Equal(1, await UploadDueAsync(fixture, cache));
        Assert.Equal("new content", Encoding.UTF8.GetString(await fixture.Store.ReadAllBytesAsync(P("target"), None)));
        Assert.Null(await fixture.Store.TryGetAttrAsync(P("new"), None));
        Assert.Equal(1, cache.GetStatistics().CachedObjects);
    }

    [Fact]
    public async Task Unlink_DirtyFile_NeverUploadedButOpenHandleKeepsData()
    {
        await using var fixture = new CacheFixture();
        var store = new WholeObjectOnlyVfs(fixture.Store);
        await using var cache = new ContentCacheVfs(store, fixture.Options(), fixture.Clock);
        await using var file = await OpenAsync(cache, "f", VfsOpenFlags.ReadWrite | VfsOpenFlags.Create);
        await file.WriteAsync(0, Encoding.UTF8.GetBytes("doomed"), None);
        await file.FlushAsync(None);
        await cache.RemoveAsync(P("f"), None);
        Assert.Null(await cache.TryGetAttrAsync(P("f"), None));
        Assert.Equal("doomed", Encoding.UTF8.GetString(await ReadRangeAsync(file, 0, 100)));
        await file.WriteAsync(6, Encoding.UTF8.GetBytes("!"), None);
        await file.FlushAsync(None);
        Assert.Equal(0, await UploadDueAsync(fixture, cache));
        Assert.Null(await fixture.Store.TryGetAttrAsync(P("f"), None));
        Assert.Equal(1, store.Uploads); // the empty create only
    }

    [Fact]
    public async Task Unlink_OpenUncachedFile_HandleStillReadsOldContent()
    {
        await using var fixture = new CacheFixture();
        var content = Pattern(3 * Block, 21);
        await fixture.Store.WriteAllBytesAsync(P("f"), content);
        await using var cache = fixture.Open();
        await using var file = await OpenAsync(cache, "f", VfsOpenFlags.Read); // nothing fetched yet
        await cache.RemoveAsync(P("f"), None);
        Assert.Equal(content, await ReadRangeAsync(file, 0, content.Length));
    }

    [Fact]
    public async Task Rename_OverOpenUncachedFile_HandleStillReadsOldContent()
    {
        await using var fixture = new CacheFixture();
        var old = Pattern(2 * Block + 3, 22);
        await fixture.Store.WriteAllBytesAsync(P("target"), old);
        await using var cache = fixture.Open();
        await using var file = await OpenAsync(cache, "target", VfsOpenFlags.Read);
        await cache.WriteAllBytesAsync(P("new"), Encoding.UTF8.GetBytes("replacement"));
        await cache.RenameAsync(P("new"), P("target"), VfsRenameFlags.None, None);
        Assert.Equal(old, await ReadRangeAsync(file, 0, old.Length + 10));
        Assert.Equal("replacement", Encoding.UTF8.GetString(await cache.ReadAllBytesAsync(P("target"), None)));
    }

    [Fact]
    public async Task Fsync_WaitsUntilObjectIsInStore()
    {
        await using var fixture = new CacheFixture();
        await using var cache = fixture.Open();
        await using var file = await OpenAsync(cache, "f", VfsOpenFlags.Write | VfsOpenFlags.Create);
        await file.WriteAsync(0, Encoding.UTF8.GetBytes("durable"), None);
        await file.FsyncAsync(None);
        Assert.Equal("durable", Encoding.UTF8.GetString(await fixture.Store.ReadAllBytesAsync(P("f"), None)));
        Assert.Equal(0, cache.GetStatistics().DirtyObjects);
        Assert.Equal(1, cache.GetStatistics().UploadsDone);
    }

    [Fact]
    public async Task Fsync_StoreFails_ReportsErrorAndKeepsObjectDirty()
    {
        await using var fixture = new CacheFixture(new BlockingStore(new MemoryVfs()));
        var store = (BlockingStore)fixture.Store;
        await using var cache = fixture.Open();
        await using var file = await OpenAsync(cache, "f", VfsOpenFlags.Write | VfsOpenFlags.Create);
        await file.WriteAsync(0, Encoding.UTF8.GetBytes("data"), None);
        store.FailWrites = true;
        var error = await Assert.ThrowsAsync<VfsException>(async () => await file.FsyncAsync(None));
        Assert.Equal(Errno.EIO, error.Errno);
        var stats = cache.GetStatistics();
        Assert.Equal(1, stats.UploadsFailed);
        Assert.Equal(1, stats.DirtyObjects);
        store.FailWrites = false;
        await file.FsyncAsync(None);
        Assert.Equal("data", Encoding.UTF8.GetString(await fixture.Store.ReadAllBytesAsync(P("f"), None)));
    }

    [Fact]
    public async Task Upload_OverWholeObjectOnlyStore_OnlySequentialWholeObjectWrites()
    {
        await using var fixture = new CacheFixture();
        await fixture.Store.WriteAllBytesAsync(P("f"), Pattern(4 * Block + 9, 12));
        var store = new WholeObjectOnlyVfs(fixture.Store);
        await using var cache = new ContentCacheVfs(store, fixture.Options(), fixture.Clock);
        Assert.True(cache.Capabilities.Has(VfsCapabilities.RandomWrite | VfsCapabilities.Append | VfsCapabilities.Truncate));
        Assert.False(store.Capabilities.Has(VfsCapabilities.RandomWrite));

        var expected = Pattern(4 * Block + 9, 12).ToList();
        await using (var file = await OpenAsync(cache, "f", VfsOpenFlags.ReadWrite))
        {
            var patch = Pattern(300, 13);
            await file.WriteAsync(2 * Block - 100, patch, None); // in the middle, across a block boundary
            for (int i = 0; i < patch.Length; i++) expected[2 * Block - 100 + i] = patch[i];
            await file.TruncateAsync(3 * Block, None);
            expected.RemoveRange(3 * Block, expected.Count - 3 * Block);
        }
        await using (var file = await OpenAsync(cache, "f", VfsOpenFlags.Write | VfsOpenFlags.Append))
        {
            var tail = Pattern(10, 14);
            await file.WriteAsync(0, tail, None);
            expected.AddRange(tail);
        }
        Assert.Equal(1, await UploadDueAsync(fixture, cache));
        Assert.Equal(0, store.Refusals);
        Assert.Equal(1, store.Uploads);
        Assert.Equal(expected.ToArray(), await fixture.Store.ReadAllBytesAsync(P("f"), None));
    }

    [Fact]
    public async Task Eviction_OverLimit_EvictsLeastRecentlyUsedCleanUnopenedOnly()
    {
        await using var fixture = new CacheFixture();
        foreach (var name in new[] { "a", "b", "c" }) await fixture.Store.WriteAllBytesAsync(P(name), Pattern(2 * Block, name[0]));
        await using var cache = fixture.Open(o => o.CacheSizeBytes = 5L * Block);
        foreach (var name in new[] { "a", "b", "c" })
        {
            await cache.ReadAllBytesAsync(P(name), None);
            fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        await cache.WriteAllBytesAsync(P("dirty"), Pattern(2 * Block, 15));
        await using var open = await OpenAsync(cache, "a", VfsOpenFlags.Read); // the oldest, but open
        Assert.Equal(8L * Block, cache.CachedBytes);

        Assert.Equal(2, cache.RunEviction()); // b then c: down to the 90% mark needs both
        Assert.Equal(4L * Block, cache.CachedBytes);
        var stats = cache.GetStatistics();
        Assert.Equal(2, stats.Evictions);
        Assert.Equal(4L * Block, stats.EvictedBytes);
        Assert.Equal(2L * Block * 3, stats.BytesFromInner); // a, b, c read once each

        Assert.Equal(Pattern(2 * Block, 'b'), await cache.ReadAllBytesAsync(P("b"), None)); // refetched after eviction
        Assert.Equal(Pattern(2 * Block, 15), await cache.ReadAllBytesAsync(P("dirty"), None));
        Assert.Equal(0, cache.EvictTo(0) - 1); // only b (read again, now closed) can go; a is open, dirty is dirty
    }

    [Fact]
    public async Task Statistics_ReadFromStoppedCacheDirectory()
    {
        await using var fixture = new CacheFixture();
        await fixture.Store.WriteAllBytesAsync(P("f"), Pattern(2 * Block, 16));
        await using (var cache = fixture.Open())
        {
            await cache.ReadAllBytesAsync(P("f"), None);
            await cache.ReadAllBytesAsync(P("f"), None);
            await cache.WriteAllBytesAsync(P("g"), Pattern(10, 17));
            cache.FlushIndex();
            var live = ContentCacheStatistics.Read(fixture.Directory); // beside the running instance (WAL)
            Assert.Equal(1, live.DirtyObjects);
            Assert.Equal(10, live.DirtyBytes);
            Assert.Equal(2L * Block, live.BytesFromInner);
        } // dispose drains g and flushes the counters

        var stats = ContentCacheStatistics.Read(fixture.Directory);
        Assert.Equal(2L * Block, stats.BytesFromInner);
        Assert.Equal(2, stats.MissRequests); // one read per block the first time
        Assert.Equal(2, stats.HitRequests);
        Assert.Equal(1, stats.UploadsDone);
        Assert.Equal(10, stats.BytesUploaded);
        Assert.Equal(0, stats.DirtyObjects);
        Assert.Equal(2, stats.CachedObjects);
        Assert.Equal(3L * Block, stats.CachedBytes);
        Assert.Equal(fixture.Options().CacheSizeBytes, stats.CacheSizeLimitBytes); // the limit the instance ran with
        Assert.Throws<VfsException>(() => ContentCacheStatistics.Read(Path.Combine(fixture.Directory, "nothing-here")));
    }

    [Fact]
    public async Task Dispose_DrainsWithProgress()
    {
        await using var fixture = new CacheFixture();
        var reports = new List<ContentCacheDrainProgress>();
        var cache = fixture.Open(o => o.DrainProgress = new SynchronousProgress(p => { lock (reports) reports.Add(p); }));
        for (int i = 0; i < 3; i++) await cache.WriteAllBytesAsync(P($"f{i}"), Pattern(Block + i, i));
        await cache.DisposeAsync();
        for (int i = 0; i < 3; i++) Assert.Equal(Pattern(Block + i, i), await fixture.Store.ReadAllBytesAsync(P($"f{i}"), None));
        Assert.Equal(new ContentCacheDrainProgress(0, 3, 0, 3L * Block + 3, 0), reports[0]);
        Assert.Equal(new ContentCacheDrainProgress(3, 3, 3L * Block + 3, 3L * Block + 3, 0), reports[^1]);
    }

    [Fact]
    public async Task BackgroundUploader_ZeroDelay_UploadsWithoutBeingDriven()
    {
        await using var fixture = new CacheFixture();
        await using var cache = new ContentCacheVfs(fixture.Store, fixture.Options(o =>
        {
            o.RunBackgroundLoops = true;
            o.WriteBackDelay = TimeSpan.Zero;
        }));
        await cache.WriteAllBytesAsync(P("f"), Encoding.UTF8.GetBytes("by itself"));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while ((await fixture.Store.GetAttrAsync(P("f"), None)).Size == 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.Equal("by itself", Encoding.UTF8.GetString(await fixture.Store.ReadAllBytesAsync(P("f"), None)));
    }

    [Fact]
    public async Task BackgroundEvictor_OverLimit_ShrinksWithoutBeingDriven()
    {
        await using var fixture = new CacheFixture();
        for (int i = 0; i < 4; i++) await fixture.Store.WriteAllBytesAsync(P($"f{i}"), Pattern(2 * Block, 30 + i));
        await using var cache = new ContentCacheVfs(fixture.Store, fixture.Options(o =>
        {
            o.RunBackgroundLoops = true;
            o.CacheSizeBytes = 3L * Block;
        }));
        for (int i = 0; i < 4; i++) Assert.Equal(Pattern(2 * Block, 30 + i), await cache.ReadAllBytesAsync(P($"f{i}"), None));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (cache.CachedBytes > 3L * Block && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.True(cache.CachedBytes <= 3L * Block, $"{cache.CachedBytes} bytes cached");
        Assert.True(cache.GetStatistics().Evictions >= 3);
    }

    private sealed class SynchronousProgress(Action<ContentCacheDrainProgress> report) : IProgress<ContentCacheDrainProgress>
    {
        public void Report(ContentCacheDrainProgress value) => report(value);
    }
}
