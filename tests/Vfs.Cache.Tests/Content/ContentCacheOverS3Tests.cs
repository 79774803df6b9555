using System.Text;
using Amazon.S3;
using Vfs.Abstractions;
using Vfs.Cache.Content;
using Vfs.S3;
using Vfs.Testing.S3;

namespace Vfs.Cache.Tests.Content;

/// <summary>
/// ContentCacheVfs over the real S3Vfs on a real s3rver: what S3Vfs cannot do itself (random write, append, truncate)
/// reaches the bucket through whole-object uploads, a crash before upload loses nothing, and a changed object is
/// noticed by its ETag. The bytes are checked in the bucket directly, not through the stack.
/// </summary>
public sealed class ContentCacheOverS3Tests : IClassFixture<S3rverFixture>
{
    private const int Block = ContentCacheOptions.MinBlockSize;
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly S3rverFixture _server;

    public ContentCacheOverS3Tests(S3rverFixture server) => _server = server;

    private S3Vfs CreateS3(string bucket)
    {
        var options = new S3VfsOptions
        {
            Bucket = bucket,
            Endpoint = _server.Endpoint,
            ForcePathStyle = true,
            Region = S3rverFixture.Region,
            Resilience = new S3ResilienceOptions
            {
                RetryBaseDelay = TimeSpan.FromMilliseconds(5),
                RetryMaxDelay = TimeSpan.FromMilliseconds(50),
                AttemptTimeout = TimeSpan.FromSeconds(30),
            },
        };
        return new S3Vfs(new AmazonS3Client(S3rverFixture.Credentials, S3ClientFactory.CreateConfig(options)), options, ownsClient: true);
    }

    [Fact]
    public async Task RandomWriteAppendTruncate_OverS3Vfs_BucketHoldsTheBytes()
    {
        var bucket = await _server.CreateBucketAsync();
        var original = ContentCacheVfsTests.Pattern(3 * Block + 100, 40);
        await _server.PutAsync(bucket, "doc", original);
        await using var fixture = new CacheFixture(CreateS3(bucket));
        var expected = original.ToList();
        await using (var cache = fixture.Open())
        {
            Assert.True(cache.Capabilities.Has(VfsCapabilities.RandomWrite | VfsCapabilities.Append | VfsCapabilities.Truncate));
            await using (var file = await ContentCacheVfsTests.OpenAsync(cache, "doc", VfsOpenFlags.ReadWrite))
            {
                var patch = Encoding.UTF8.GetBytes("dd conv=notrunc in the middle");
                await file.WriteAsync(Block + 7, patch, None);
                for (int i = 0; i < patch.Length; i++) expected[Block + 7 + i] = patch[i];
            }
            await using (var file = await ContentCacheVfsTests.OpenAsync(cache, "doc", VfsOpenFlags.Write | VfsOpenFlags.Append))
            {
                var line = Encoding.UTF8.GetBytes("echo >> appended\n");
                await file.WriteAsync(0, line, None);
                expected.AddRange(line);
            }
            await cache.SetAttrAsync(ContentCacheVfsTests.P("doc"), new VfsAttributeChanges { Size = 2 * Block + 1 }, None);
            expected.RemoveRange(2 * Block + 1, expected.Count - (2 * Block + 1));
            await cache.MkdirAsync(ContentCacheVfsTests.P("dir"), VfsCreateOptions.Directory, None);
            await cache.WriteAllBytesAsync(ContentCacheVfsTests.P("dir/new"), Encoding.UTF8.GetBytes("new file"));
            Assert.Equal(0, await cache.DrainAsync(null, None));
            Assert.Equal(0, cache.GetStatistics().UploadsFailed);
        }
        Assert.Equal(expected.ToArray(), await _server.GetBytesAsync(bucket, "doc"));
        Assert.Equal("new file", Encoding.UTF8.GetString(await _server.GetBytesAsync(bucket, "dir/new")));
    }

    [Fact]
    public async Task Crash_BeforeUpload_OverS3Vfs_NextInstanceUploads()
    {
        var bucket = await _server.CreateBucketAsync();
        await using var fixture = new CacheFixture(CreateS3(bucket));
        var content = ContentCacheVfsTests.Pattern(2 * Block + 9, 41);
        var cache = fixture.Open();
        await cache.WriteAllBytesAsync(ContentCacheVfsTests.P("f"), content);
        await cache.AbandonAsync();
        Assert.Empty(await _server.GetBytesAsync(bucket, "f")); // only the empty create reached the bucket

        await using (var reopened = fixture.Open())
            Assert.Equal(0, await reopened.DrainAsync(null, None));
        Assert.Equal(content, await _server.GetBytesAsync(bucket, "f"));
    }

    [Fact]
    public async Task Open_ObjectReplacedInBucket_NewContentByETag()
    {
        var bucket = await _server.CreateBucketAsync();
        await _server.PutAsync(bucket, "f", Encoding.UTF8.GetBytes("version one"));
        await using var fixture = new CacheFixture(CreateS3(bucket));
        await using var cache = fixture.Open();
        Assert.Equal("version one", Encoding.UTF8.GetString(await cache.ReadAllBytesAsync(ContentCacheVfsTests.P("f"), None)));
        await _server.PutAsync(bucket, "f", Encoding.UTF8.GetBytes("version TWO")); // same size, other bytes
        Assert.Equal("version TWO", Encoding.UTF8.GetString(await cache.ReadAllBytesAsync(ContentCacheVfsTests.P("f"), None)));
    }
}
