using System.Text;
using Vfs.Abstractions;
using Vfs.Cache.Content;

namespace Vfs.Cache.Tests.Content;

/// <summary>The cache directory: created 0700, locked against a second instance, clear errors when unusable; ENOSPC.</summary>
public sealed class CacheDirectoryTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Open_NewDirectory_CreatedOwnerOnly()
    {
        await using var fixture = new CacheFixture();
        await using var cache = fixture.Open();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(fixture.Directory));
        Assert.True(File.Exists(Path.Combine(fixture.Directory, "index.db")));
    }

    [Fact]
    public async Task Open_SecondInstanceSameDirectory_IsEbusyUntilFirstCloses()
    {
        await using var fixture = new CacheFixture();
        var first = fixture.Open();
        var error = Assert.Throws<VfsException>(() => fixture.Open());
        Assert.Equal(Errno.EBUSY, error.Errno);
        Assert.Contains(fixture.Directory, error.Message);
        await first.DisposeAsync();
        await using var second = fixture.Open();
    }

    [Fact]
    public async Task Open_AfterCrash_LockIsFree()
    {
        await using var fixture = new CacheFixture();
        var first = fixture.Open();
        await first.AbandonAsync();
        await using var second = fixture.Open();
    }

    [Fact]
    public async Task Open_DirectoryBelowAFile_ClearErrorNamingIt()
    {
        await using var fixture = new CacheFixture();
        Directory.CreateDirectory(fixture.Directory);
        var file = Path.Combine(fixture.Directory, "plain-file");
        await File.WriteAllTextAsync(file, "x");
        var error = Assert.Throws<VfsException>(() => new ContentCacheVfs(fixture.Store, fixture.Options(o => o.CacheDirectory = Path.Combine(file, "cache"))));
        Assert.Contains("plain-file", error.Message);
    }

    [Theory]
    [InlineData(1000)] // not a power of two
    [InlineData(ContentCacheOptions.MaxBlockSize * 2)]
    public async Task Open_BadBlockSize_IsEinval(int blockSize)
    {
        await using var fixture = new CacheFixture();
        var error = Assert.Throws<VfsException>(() => fixture.Open(o => o.BlockSize = blockSize));
        Assert.Equal(Errno.EINVAL, error.Errno);
        Assert.False(Directory.Exists(fixture.Directory)); // checked before anything is created
    }

    [Fact]
    public async Task Write_DiskFull_EnospcToWriterAndIndexIntact()
    {
        await using var fixture = new CacheFixture();
        FaultySpillStorage? spill = null;
        var cache = fixture.Open(spill: dir => spill = new FaultySpillStorage(dir));
        await cache.WriteAllBytesAsync(ContentCacheVfsTests.P("kept"), Encoding.UTF8.GetBytes("flushed before the disk filled"));
        spill!.Quota = spill.Written + 1000;

        await using (var file = await ContentCacheVfsTests.OpenAsync(cache, "big", VfsOpenFlags.Write | VfsOpenFlags.Create))
        {
            await file.WriteAsync(0, new byte[500], None);
            var error = await Assert.ThrowsAsync<VfsException>(async () => await file.WriteAsync(500, new byte[4000], None));
            Assert.Equal(Errno.ENOSPC, error.Errno);
            Assert.Equal(500, (await file.GetAttrAsync(None)).Size); // the failed write did not grow the file
        }
        await cache.AbandonAsync();

        spill.Quota = long.MaxValue;
        await using var reopened = fixture.Open();
        Assert.Equal("flushed before the disk filled", Encoding.UTF8.GetString(await reopened.ReadAllBytesAsync(ContentCacheVfsTests.P("kept"), None)));
        Assert.Equal(new byte[500], await reopened.ReadAllBytesAsync(ContentCacheVfsTests.P("big"), None));
        Assert.Equal(0, await reopened.DrainAsync(null, None));
        Assert.Equal(500, (await fixture.Store.GetAttrAsync(ContentCacheVfsTests.P("big"), None)).Size);
    }

    [Fact]
    public async Task Write_DiskFullButCleanObjectsCached_EvictsAndSucceeds()
    {
        await using var fixture = new CacheFixture();
        var content = ContentCacheVfsTests.Pattern(4 * fixture.BlockSize, 20);
        await fixture.Store.WriteAllBytesAsync(ContentCacheVfsTests.P("clean"), content);
        FaultySpillStorage? spill = null;
        await using var cache = fixture.Open(spill: dir => spill = new FaultySpillStorage(dir));
        await cache.ReadAllBytesAsync(ContentCacheVfsTests.P("clean"), None);
        spill!.Quota = spill.Written; // "full" — but deleting the clean object frees its blocks
        long before = cache.CachedBytes;

        await using var file = await ContentCacheVfsTests.OpenAsync(cache, "new", VfsOpenFlags.Write | VfsOpenFlags.Create);
        await file.WriteAsync(0, new byte[100], None);
        Assert.Equal(1, cache.GetStatistics().Evictions);
        Assert.True(cache.CachedBytes < before);
    }
}
