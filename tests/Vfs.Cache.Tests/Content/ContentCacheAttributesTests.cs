using Vfs.Abstractions;
using Vfs.Cache.Content;

namespace Vfs.Cache.Tests.Content;

/// <summary>
/// Mode, owner and mtime of a file with local changes survive its upload (touch -d, cp -p, tar -x, rsync -t set them
/// before the data reaches the store), and a setattr on a clean cached file leaves the cache agreeing with the store.
/// Over MemoryVfs, whose writes move the mtime to its own (real) clock while the cache runs on a manual one.
/// </summary>
public sealed class ContentCacheAttributesTests
{
    private const int Block = ContentCacheOptions.MinBlockSize;
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset SetTime = new(2001, 2, 3, 4, 5, 6, TimeSpan.Zero);

    private static VfsPath P(string path) => VfsPath.Parse(path);

    [Fact]
    public async Task Upload_MtimeSetOnDirtyFile_StoreKeepsIt()
    {
        await using var fixture = new CacheFixture();
        await using var cache = fixture.Open();
        await cache.WriteAllBytesAsync(P("f"), ContentCacheVfsTests.Pattern(2 * Block + 5, 1));
        await cache.SetAttrAsync(P("f"), new VfsAttributeChanges { ModifiedTime = SetTime }, None); // touch -d

        Assert.Equal(1, await ContentCacheVfsTests.UploadDueAsync(fixture, cache));
        Assert.Equal(SetTime, (await fixture.Store.GetAttrAsync(P("f"), None)).ModifiedTime);
        Assert.Equal(SetTime, (await cache.GetAttrAsync(P("f"), None)).ModifiedTime);
        Assert.Equal(0, cache.GetStatistics().DirtyObjects);
    }

    [Fact]
    public async Task Upload_NoTimeSet_StoreKeepsLastWriteTimeNotUploadTime()
    {
        await using var fixture = new CacheFixture();
        await using var cache = fixture.Open();
        var written = fixture.Clock.GetUtcNow();
        await cache.WriteAllBytesAsync(P("f"), ContentCacheVfsTests.Pattern(Block + 1, 2));

        Assert.Equal(1, await ContentCacheVfsTests.UploadDueAsync(fixture, cache)); // the clock moved 10 minutes on
        Assert.Equal(written, (await fixture.Store.GetAttrAsync(P("f"), None)).ModifiedTime);
        Assert.Equal(written, (await cache.GetAttrAsync(P("f"), None)).ModifiedTime);
    }

    [Fact]
    public async Task Upload_TarExtractSequence_ModeOwnerAndMtimeSurvive()
    {
        await using var fixture = new CacheFixture();
        await using var cache = fixture.Open();
        // tar -x: create 0600, write, fchown, fchmod, futimens, close
        await using (var file = await cache.OpenAsync(P("f"), VfsOpenFlags.Write | VfsOpenFlags.Create | VfsOpenFlags.Exclusive, new VfsCreateOptions(0b110_000_000), None))
        {
            await file.WriteAsync(0, ContentCacheVfsTests.Pattern(3 * Block, 3), None);
            await cache.SetAttrAsync(P("f"), new VfsAttributeChanges { Uid = 42, Gid = 43 }, None);
            await cache.SetAttrAsync(P("f"), new VfsAttributeChanges { Mode = 0b111_101_000 }, None); // 0750
            await cache.SetAttrAsync(P("f"), new VfsAttributeChanges { ModifiedTime = SetTime, AccessTime = SetTime }, None);
            await file.WriteAsync(3 * Block, new byte[] { 1 }, None); // a write after the times moves them locally, as in POSIX
        }
        var local = await cache.GetAttrAsync(P("f"), None);
        Assert.Equal(fixture.Clock.GetUtcNow(), local.ModifiedTime);
        await cache.SetAttrAsync(P("f"), new VfsAttributeChanges { ModifiedTime = SetTime }, None); // rsync -t after the copy

        Assert.Equal(0, await cache.DrainAsync(null, None));
        var stored = await fixture.Store.GetAttrAsync(P("f"), None);
        Assert.Equal((0b111_101_000, 42u, 43u, SetTime, 3L * Block + 1), (stored.Mode, stored.Uid, stored.Gid, stored.ModifiedTime, stored.Size));
        var shown = await cache.GetAttrAsync(P("f"), None);
        Assert.Equal((0b111_101_000, 42u, 43u, SetTime), (shown.Mode, shown.Uid, shown.Gid, shown.ModifiedTime));
    }

    [Fact]
    public async Task Upload_ChmodBeforeUploadOfReplacedFile_ModeSurvives()
    {
        await using var fixture = new CacheFixture();
        await fixture.Store.WriteAllBytesAsync(P("f"), ContentCacheVfsTests.Pattern(Block, 4));
        await using var cache = fixture.Open();
        await using (var file = await ContentCacheVfsTests.OpenAsync(cache, "f", VfsOpenFlags.ReadWrite))
            await file.WriteAsync(10, new byte[] { 9, 9, 9 }, None);
        await cache.SetAttrAsync(P("f"), new VfsAttributeChanges { Mode = 0b110_000_000 }, None); // chmod 600

        Assert.Equal(1, await ContentCacheVfsTests.UploadDueAsync(fixture, cache));
        Assert.Equal(0b110_000_000, (await fixture.Store.GetAttrAsync(P("f"), None)).Mode);
        Assert.Equal(0b110_000_000, (await cache.GetAttrAsync(P("f"), None)).Mode);
    }

    [Fact]
    public async Task SetAttr_TouchOnCleanCachedFile_CacheAgreesAndKeepsBlocks()
    {
        await using var fixture = new CacheFixture();
        var content = ContentCacheVfsTests.Pattern(2 * Block, 5);
        await fixture.Store.WriteAllBytesAsync(P("f"), content);
        await using var cache = fixture.Open();
        Assert.Equal(content, await cache.ReadAllBytesAsync(P("f"), None)); // cached, clean

        await cache.SetAttrAsync(P("f"), new VfsAttributeChanges { ModifiedTime = SetTime }, None);
        Assert.Equal(SetTime, (await fixture.Store.GetAttrAsync(P("f"), None)).ModifiedTime); // straight through
        Assert.Equal(SetTime, (await cache.GetAttrAsync(P("f"), None)).ModifiedTime);
        var before = cache.GetStatistics();
        Assert.Equal(content, await cache.ReadAllBytesAsync(P("f"), None));
        var after = cache.GetStatistics();
        Assert.Equal(before.BytesFromInner, after.BytesFromInner); // same version: the cached blocks still serve it
        Assert.Equal(0, after.DirtyObjects);
    }
}
