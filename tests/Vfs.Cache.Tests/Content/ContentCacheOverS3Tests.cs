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

    private S3Vfs CreateS3(string bucket, FaultInjectingHandler? handler = null)
    {
        var options = new S3VfsOptions
        {
            Bucket = bucket,
            Endpoint = _server.Endpoint,
            ForcePathStyle = true,
            Region = S3rverFixture.Region,
            PartSize = S3VfsOptions.MinPartSize, // objects past 5 MiB go as multipart uploads
            Resilience = new S3ResilienceOptions
            {
                RetryBaseDelay = TimeSpan.FromMilliseconds(5),
                RetryMaxDelay = TimeSpan.FromMilliseconds(50),
                AttemptTimeout = TimeSpan.FromSeconds(30),
            },
        };
        var config = S3ClientFactory.CreateConfig(options);
        if (handler is not null) config.HttpClientFactory = new FaultInjectingHandler.Factory(handler);
        return new S3Vfs(new AmazonS3Client(S3rverFixture.Credentials, config), options, ownsClient: true);
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

    [Theory]
    [InlineData(3 * Block + 5)] // one PUT
    [InlineData((5 << 20) + Block)] // a multipart upload (5 MiB parts)
    public async Task Upload_TouchAndChmodOnDirtyFile_ObjectMetadataKeepsThemWithoutCopy(int size)
    {
        var bucket = await _server.CreateBucketAsync();
        var handler = new FaultInjectingHandler();
        await using var fixture = new CacheFixture(CreateS3(bucket, handler));
        var content = ContentCacheVfsTests.Pattern(size, 42);
        var mtime = new DateTimeOffset(2001, 2, 3, 4, 5, 6, TimeSpan.Zero);
        await using (var cache = fixture.Open())
        {
            await cache.WriteAllBytesAsync(ContentCacheVfsTests.P("f"), content);
            await cache.SetAttrAsync(ContentCacheVfsTests.P("f"), new VfsAttributeChanges { Mode = 0b110_000_000 }, None); // chmod 600
            await cache.SetAttrAsync(ContentCacheVfsTests.P("f"), new VfsAttributeChanges { ModifiedTime = mtime, AccessTime = mtime }, None); // touch -d
            int before = handler.Log.Count;
            Assert.Equal(0, await cache.DrainAsync(null, None));
            var uploadRequests = handler.Log.Skip(before).Where(line => line.StartsWith("PUT ", StringComparison.Ordinal) || line.StartsWith("POST ", StringComparison.Ordinal)).ToList();
            // the attributes travel with the data: one PUT, or CreateMultipartUpload + parts + Complete; no CopyObject
            Assert.Equal(size > (5 << 20) ? 0 : 1, uploadRequests.Count(line => line == $"PUT /{bucket}/f"));
            Assert.Equal(size > (5 << 20), uploadRequests.Any(line => line.StartsWith($"POST /{bucket}/f?uploads", StringComparison.Ordinal)));
            Assert.Equal(mtime, (await cache.GetAttrAsync(ContentCacheVfsTests.P("f"), None)).ModifiedTime);
        }
        var head = await _server.Client.GetObjectMetadataAsync(bucket, "f");
        Assert.Equal(mtime.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), head.Metadata["x-amz-meta-mtime"]);
        Assert.Equal("33152", head.Metadata["x-amz-meta-mode"]); // 0100600
        Assert.Equal(content, await _server.GetBytesAsync(bucket, "f"));
    }

    [Fact]
    public async Task SetAttr_TouchOnCleanCachedFile_BucketAndCacheAgree()
    {
        var bucket = await _server.CreateBucketAsync();
        var content = ContentCacheVfsTests.Pattern(2 * Block + 3, 43);
        await _server.PutAsync(bucket, "f", content);
        await using var fixture = new CacheFixture(CreateS3(bucket));
        await using var cache = fixture.Open();
        Assert.Equal(content, await cache.ReadAllBytesAsync(ContentCacheVfsTests.P("f"), None)); // cached, clean
        var mtime = new DateTimeOffset(2001, 2, 3, 4, 5, 6, TimeSpan.Zero);

        await cache.SetAttrAsync(ContentCacheVfsTests.P("f"), new VfsAttributeChanges { ModifiedTime = mtime }, None); // straight to the bucket
        var head = await _server.Client.GetObjectMetadataAsync(bucket, "f");
        Assert.Equal(mtime.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), head.Metadata["x-amz-meta-mtime"]);
        Assert.Equal(mtime, (await cache.GetAttrAsync(ContentCacheVfsTests.P("f"), None)).ModifiedTime);
        long fetched = cache.GetStatistics().BytesFromInner;
        Assert.Equal(content, await cache.ReadAllBytesAsync(ContentCacheVfsTests.P("f"), None));
        Assert.Equal(fetched, cache.GetStatistics().BytesFromInner); // same content and ETag: the cached blocks still serve it
    }
}
