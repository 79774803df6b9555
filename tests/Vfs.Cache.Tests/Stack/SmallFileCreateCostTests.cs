using Vfs.Abstractions;
using Vfs.Cache.Content;
using Vfs.Cache.Metadata;
using Vfs.S3;
using Vfs.Testing.Fakes;
using Vfs.Testing.S3;
using Xunit.Abstractions;

namespace Vfs.Cache.Tests.Stack;

/// <summary>
/// What one <c>echo x &gt; d/fN</c> costs the store through both caches, replayed as the FUSE adapter issues it
/// (lookup of the missing name, create + fgetattr, write, flush, release, getattr) and then uploaded: the counts
/// between the layers pin the store calls per small-file create so a redundant one cannot come back silently.
/// </summary>
public sealed class SmallFileCreateCostTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Files = 20;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "create-cost-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task EchoIntoNewFiles_ThroughBothCaches_CostsFewStoreCalls()
    {
        var s3 = new InMemoryS3Client();
        var store = new S3Vfs(s3, new S3VfsOptions { Bucket = "bucket", DefaultUid = 1, DefaultGid = 1, RequestCountsFile = null });
        var belowContent = new CountingVfs(store);
        var content = new ContentCacheVfs(belowContent, new ContentCacheOptions
        {
            CacheDirectory = _directory,
            BlockSize = ContentCacheOptions.MinBlockSize,
            WriteBackDelay = TimeSpan.Zero,
            RunBackgroundLoops = false,
        });
        await using var cache = content;
        var belowMetadata = new CountingVfs(content);
        var metadata = new MetadataCacheVfs(belowMetadata, new MetadataCacheOptions { Ttl = TimeSpan.FromMinutes(5) });
        var ct = CancellationToken.None;

        var dir = VfsPath.Parse("/d");
        await metadata.MkdirAsync(dir, default, ct);
        Assert.Null(await metadata.TryGetAttrAsync(VfsPath.Parse("/d/warmup"), ct));
        belowContent.Reset();
        belowMetadata.Reset();
        long before = store.Requests.Total, putsBefore = store.Requests["PUT"];

        for (int i = 0; i < Files; i++)
        {
            var path = dir.Combine("f" + i);
            Assert.Null(await metadata.TryGetAttrAsync(path, ct));
            await using (var file = await metadata.OpenAsync(path, VfsOpenFlags.Write | VfsOpenFlags.Truncate | VfsOpenFlags.Create, default, ct))
            {
                _ = await file.GetAttrAsync(ct);
                await file.WriteAsync(0, "x\n"u8.ToArray(), ct);
                await file.FlushAsync(ct);
            }
            Assert.Equal(2, (await metadata.GetAttrAsync(path, ct)).Size);
            Assert.Equal(2, (await metadata.GetAttrAsync(dir.Combine("f" + i), ct)).Size);
        }
        await content.RunUploadsAsync(ct);

        output.WriteLine($"below metadata: {Describe(belowMetadata)}");
        output.WriteLine($"below content:  {Describe(belowContent)}");
        output.WriteLine($"S3: {store.Requests} (create phase: {store.Requests.Total - before})");
        long requests = store.Requests.Total - before;
        for (int i = 0; i < Files; i++) Assert.Equal(2, (await store.GetAttrAsync(dir.Combine("f" + i), ct)).Size);

        // Per file, measured: the metadata cache asks once for the missing name and once after the close; the content
        // cache adds its own check at open, and learns the new object's attributes from the create's and the upload's
        // writer rather than asking the store again (5 lookups a file before, 3 now); 17 S3 requests a file (21 before).
        Assert.Equal(2 * Files, belowMetadata.Count(VfsOperation.GetAttr));
        Assert.Equal(3 * Files, belowContent.Count(VfsOperation.GetAttr));
        Assert.Equal(0, belowContent.Count(VfsOperation.List));
        Assert.Equal(2 * Files, store.Requests["PUT"] - putsBefore); // the empty object at create, the data at upload
        Assert.True(requests <= 17 * Files, $"{requests} S3 requests for {Files} small files: {store.Requests}");
    }

    private static string Describe(CountingVfs counting) =>
        string.Join(", ", Enum.GetValues<VfsOperation>().Where(op => counting.Count(op) > 0).Select(op => $"{op} {counting.Count(op)}"))
        + $" (total {counting.Total})";
}
