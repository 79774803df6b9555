using System.Net;
using Amazon.S3;
using Microsoft.Extensions.Time.Testing;
using Vfs.Abstractions;
using Vfs.Testing.S3;

namespace Vfs.S3.Tests;

/// <summary>Faults between the SDK and a real s3rver: the pipeline retries what may pass, gives up on what cannot, and a failed upload leaves nothing.</summary>
[Collection(S3rverCollection.Name)]
public sealed class S3VfsFaultTests(S3rverFixture server)
{
    private static readonly CancellationToken None = CancellationToken.None;

    private async Task<(S3Vfs Vfs, string Bucket, FaultInjectingHandler Faults)> CreateAsync(Action<S3VfsOptions>? tune = null, TimeProvider? time = null)
    {
        var bucket = await server.CreateBucketAsync();
        var options = S3TestContext.Options(server, bucket);
        tune?.Invoke(options);
        var handler = new FaultInjectingHandler();
        var config = S3ClientFactory.CreateConfig(options);
        config.HttpClientFactory = new FaultInjectingHandler.Factory(handler);
        var vfs = new S3Vfs(new AmazonS3Client(S3rverFixture.Credentials, config), options, timeProvider: time, ownsClient: true);
        return (vfs, bucket, handler);
    }

    private static byte[] Content(int length, int seed) => Enumerable.Range(0, length).Select(i => (byte)(i * 31 + seed)).ToArray();

    [Fact]
    public async Task Operations_Injected500sOnEveryOtherRequest_SucceedAfterRetries()
    {
        // half the attempts failing is what opens the circuit at the default ratio: this test is about retries
        var (vfs, bucket, faults) = await CreateAsync(o => o.Resilience.CircuitFailureRatio = 0);
        await using var _ = vfs;
        int n = 0;
        faults.Inject(S3Fault.InternalError, -1, _ => Interlocked.Increment(ref n) % 2 == 1);

        await vfs.MkdirAsync(VfsPath.Parse("d"), VfsCreateOptions.Directory, None);
        await vfs.WriteAllBytesAsync(VfsPath.Parse("d/f"), Content(1000, 1));
        await vfs.RenameAsync(VfsPath.Parse("d/f"), VfsPath.Parse("d/g"), VfsRenameFlags.None, None);
        Assert.Equal(Content(1000, 1), await vfs.ReadAllBytesAsync(VfsPath.Parse("d/g")));
        Assert.Equal(["g"], await vfs.ListAsync(VfsPath.Parse("d"), None).Select(e => e.Name).ToListAsync());

        Assert.True(faults.Faults >= 5, $"{faults.Faults} faults injected");
        faults.Clear();
        Assert.Equal(["d/", "d/g"], await server.ListKeysAsync(bucket));
    }

    [Fact]
    public async Task Write_SlowDownThenDroppedConnection_SucceedsAfterRetries()
    {
        var (vfs, bucket, faults) = await CreateAsync();
        await using var _ = vfs;
        faults.Inject(S3Fault.SlowDown, 3, FaultInjectingHandler.Method(HttpMethod.Put));
        faults.Inject(new S3Fault.DropConnection(), 2, FaultInjectingHandler.Method(HttpMethod.Put));
        faults.Inject(new S3Fault.DropConnection(), 2, FaultInjectingHandler.Method(HttpMethod.Get));

        await vfs.WriteAllBytesAsync(VfsPath.Parse("f"), Content(5000, 2));
        Assert.Equal(Content(5000, 2), await vfs.ReadAllBytesAsync(VfsPath.Parse("f")));
        Assert.Equal(7, faults.Faults);
        Assert.Equal(Content(5000, 2), await server.GetBytesAsync(bucket, "f"));
    }

    [Fact]
    public async Task Read_LatencyBeyondAttemptTimeout_RetriedAndSucceeds()
    {
        var (vfs, _, faults) = await CreateAsync(o => o.Resilience.AttemptTimeout = TimeSpan.FromMilliseconds(300));
        await using var __ = vfs;
        await vfs.WriteAllBytesAsync(VfsPath.Parse("f"), Content(3000, 3));
        faults.Inject(new S3Fault.Latency(TimeSpan.FromSeconds(5)), 2, FaultInjectingHandler.Method(HttpMethod.Get));

        var started = DateTime.UtcNow;
        Assert.Equal(Content(3000, 3), await vfs.ReadAllBytesAsync(VfsPath.Parse("f")));
        Assert.Equal(2, faults.Faults);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(4), "the slow attempts were cut at the attempt timeout");
    }

    [Fact]
    public async Task GetAttr_403_IsEACCESWithoutRetry()
    {
        var (vfs, _, faults) = await CreateAsync();
        await using var __ = vfs;
        faults.Inject(new S3Fault.Status(HttpStatusCode.Forbidden, "AccessDenied"), -1);
        var error = await Assert.ThrowsAsync<VfsException>(async () => await vfs.OpenAsync(VfsPath.Parse("f"), VfsOpenFlags.Read, default, None));
        Assert.Equal(Errno.EACCES, error.Errno);
        Assert.Equal(2, faults.Requests); // one HEAD and one LIST, neither retried
    }

    [Fact]
    public async Task Flush_MultipartUploadWhosePartsKeepFailing_LeavesNoObject()
    {
        var (vfs, bucket, faults) = await CreateAsync(o =>
        {
            o.PartSize = 5 * S3VfsOptions.MiB;
            o.Resilience.MaxRetryAttempts = 2;
            o.Resilience.CircuitFailureRatio = 0;
        });
        await using var _ = vfs;
        faults.Inject(S3Fault.InternalError, -1, r => FaultInjectingHandler.IsUploadPart(r) && r.RequestUri!.Query.Contains("partNumber=3", StringComparison.Ordinal));

        var file = await vfs.OpenAsync(VfsPath.Parse("big"), VfsOpenFlags.Write | VfsOpenFlags.Create | VfsOpenFlags.Truncate, VfsCreateOptions.File, None);
        var error = await Assert.ThrowsAsync<VfsException>(async () =>
        {
            var chunk = Content(1 << 20, 4);
            for (int i = 0; i < 16; i++) await file.WriteAsync((long)i << 20, chunk, None);
            await file.FlushAsync(None);
        });
        Assert.Equal(Errno.EIO, error.Errno);
        await file.DisposeAsync();

        Assert.Equal(3, faults.Faults); // part 3: first attempt and two retries
        Assert.Contains(faults.Log, l => l.StartsWith("DELETE /" + bucket + "/big?uploadId=", StringComparison.Ordinal)); // the abort was tried
        faults.Clear();
        Assert.Empty(await server.ListKeysAsync(bucket));
        Assert.Null(await vfs.TryGetAttrAsync(VfsPath.Parse("big"), None));
    }

    [Fact]
    public async Task Write_CancelledDuringMultipartUpload_LeavesNoObject()
    {
        var (vfs, bucket, faults) = await CreateAsync(o => o.PartSize = 5 * S3VfsOptions.MiB);
        await using var _ = vfs;
        faults.Inject(new S3Fault.Latency(TimeSpan.FromSeconds(30)), -1, FaultInjectingHandler.IsUploadPart);
        var file = await vfs.OpenAsync(VfsPath.Parse("big"), VfsOpenFlags.Write | VfsOpenFlags.Create | VfsOpenFlags.Truncate, VfsCreateOptions.File, None);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            var chunk = Content(1 << 20, 5);
            for (int i = 0; i < 64; i++) await file.WriteAsync((long)i << 20, chunk, cancel.Token);
            await file.FlushAsync(cancel.Token);
        });
        await Assert.ThrowsAsync<VfsException>(async () => await file.FlushAsync(None));
        await file.DisposeAsync();
        faults.Clear();
        Assert.Empty(await server.ListKeysAsync(bucket));
    }

    [Fact]
    public async Task Pipeline_EndpointKeepsFailing_CircuitOpensThenClosesAfterBreak()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (vfs, _, faults) = await CreateAsync(o =>
        {
            o.Resilience.MaxRetryAttempts = 0;
            o.Resilience.CircuitFailureRatio = 0.5;
            o.Resilience.CircuitMinimumThroughput = 2;
            o.Resilience.CircuitBreakDuration = TimeSpan.FromSeconds(10);
        }, time);
        await using var _ = vfs;
        await vfs.WriteAllBytesAsync(VfsPath.Parse("f"), Content(10, 6));
        var file = await vfs.OpenAsync(VfsPath.Parse("f"), VfsOpenFlags.Read, default, None);

        time.Advance(TimeSpan.FromMinutes(1)); // the successes above leave the sampling window
        faults.Inject(S3Fault.InternalError, -1);
        for (int i = 0; i < 2; i++)
            Assert.Contains("500", (await Assert.ThrowsAsync<VfsException>(async () => await file.ReadAsync(0, new byte[10], None))).Message);
        int before = faults.Requests;
        var open = await Assert.ThrowsAsync<VfsException>(async () => await file.ReadAsync(0, new byte[10], None));
        Assert.Contains("circuit open", open.Message);
        Assert.Equal(before, faults.Requests); // failed at once, nothing sent

        faults.Clear();
        time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(10, await file.ReadAsync(0, new byte[10], None)); // the probe passes and closes the circuit
        Assert.Equal(10, await file.ReadAsync(0, new byte[10], None));
        await file.DisposeAsync();
    }
}
