using Amazon.S3.Model;
using Vfs.Testing.S3;

namespace Vfs.S3.Tests;

/// <summary>The fixture's own promises: it answers, stores bytes as sent, and its wrapper corrects s3rver's listing and copy bugs.</summary>
[Collection(S3rverCollection.Name)]
public sealed class S3rverFixtureTests(S3rverFixture server)
{
    [Fact]
    public async Task PutAsync_PlainBody_StoresTheBytesSent()
    {
        var bucket = await server.CreateBucketAsync();
        await server.PutAsync(bucket, "a b+c/é.txt", "hello world"u8.ToArray());
        Assert.Equal("hello world"u8.ToArray(), await server.GetBytesAsync(bucket, "a b+c/é.txt"));
    }

    [Fact]
    public async Task ListObjectsV2_NestedImplicitDirectory_ReportsCommonPrefix()
    {
        var bucket = await server.CreateBucketAsync();
        await server.PutAsync(bucket, "a/b/c.txt", [1]);
        await server.PutAsync(bucket, "top.txt", [2]);
        var page = await server.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Delimiter = "/" });
        Assert.Equal(["a/"], page.CommonPrefixes);
        Assert.Equal(["top.txt"], page.S3Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task CopyObject_KeyWithSlashesAndSpaces_Copies()
    {
        var bucket = await server.CreateBucketAsync();
        await server.PutAsync(bucket, "dir one/src+1.txt", [1, 2, 3]);
        await server.Client.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = bucket, SourceKey = "dir one/src+1.txt", DestinationBucket = bucket, DestinationKey = "dir two/dst%.txt",
        });
        Assert.Equal([1, 2, 3], await server.GetBytesAsync(bucket, "dir two/dst%.txt"));
    }

    [Fact]
    public async Task ListObjectsV2_MoreThan1000Keys_PagesWithContinuationTokens()
    {
        var bucket = await server.CreateBucketAsync();
        await Parallel.ForAsync(0, 1005, new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, _) => await server.PutAsync(bucket, $"k{i:D5}", []));
        var keys = await server.ListKeysAsync(bucket);
        Assert.Equal(1005, keys.Count);
        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
    }
}
