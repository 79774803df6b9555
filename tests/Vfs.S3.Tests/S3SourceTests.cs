using System.Net;
using System.Net.Sockets;
using Amazon.S3;
using Vfs.Abstractions;
using Vfs.Testing.S3;

namespace Vfs.S3.Tests;

/// <summary>Before mounting, each way an S3 source can be wrong is one clear line.</summary>
[Collection(S3rverCollection.Name)]
public sealed class S3SourceTests(S3rverFixture server)
{
    [Theory]
    [InlineData("s3://my-bucket", "my-bucket", "")]
    [InlineData("s3://my-bucket/", "my-bucket", "")]
    [InlineData("s3://my-bucket/photos/2024 trip", "my-bucket", "photos/2024 trip/")]
    public void Parse_BucketAndPrefix(string source, string bucket, string prefix)
    {
        var options = new S3VfsOptions();
        S3Source.Parse(source, options);
        Assert.Equal((bucket, prefix), (options.Bucket, options.NormalizedPrefix));
    }

    [Theory]
    [InlineData("s3://")]
    [InlineData("s3:///prefix")]
    [InlineData("local:/tmp")]
    public void Parse_NoBucket_Throws(string source) =>
        Assert.Throws<S3SourceException>(() => S3Source.Parse(source, new S3VfsOptions()));

    private S3VfsOptions Options(string bucket) => S3TestContext.Options(server, bucket);

    [Fact]
    public async Task CheckAsync_ExistingBucket_Passes()
    {
        var bucket = await server.CreateBucketAsync();
        var options = Options(bucket);
        using var client = new AmazonS3Client(S3rverFixture.Credentials, S3ClientFactory.CreateConfig(options));
        await S3Source.CheckAsync(options, client, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task CheckAsync_UnknownBucket_SaysSo()
    {
        var options = Options("no-such-bucket-here");
        using var client = new AmazonS3Client(S3rverFixture.Credentials, S3ClientFactory.CreateConfig(options));
        var error = await Assert.ThrowsAsync<S3SourceException>(() => S3Source.CheckAsync(options, client, TimeSpan.FromSeconds(10)));
        Assert.Equal($"bucket 'no-such-bucket-here' does not exist at {server.Endpoint}", error.Message);
    }

    [Fact]
    public async Task CheckAsync_CredentialsRefused_SaysSo()
    {
        var bucket = await server.CreateBucketAsync();
        var options = Options(bucket);
        var handler = new FaultInjectingHandler();
        handler.Inject(new S3Fault.Status(HttpStatusCode.Forbidden, "InvalidAccessKeyId"), -1);
        var config = S3ClientFactory.CreateConfig(options);
        config.HttpClientFactory = new FaultInjectingHandler.Factory(handler);
        using var client = new AmazonS3Client(S3rverFixture.Credentials, config);
        var error = await Assert.ThrowsAsync<S3SourceException>(() => S3Source.CheckAsync(options, client, TimeSpan.FromSeconds(10)));
        Assert.StartsWith($"access to bucket '{bucket}' at {server.Endpoint} denied (InvalidAccessKeyId): check the credentials", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task CheckAsync_NothingListening_SaysUnreachable()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var options = Options("some-bucket");
        options.Endpoint = $"http://127.0.0.1:{port}";
        using var client = new AmazonS3Client(S3rverFixture.Credentials, S3ClientFactory.CreateConfig(options));
        var error = await Assert.ThrowsAsync<S3SourceException>(() => S3Source.CheckAsync(options, client, TimeSpan.FromSeconds(10)));
        Assert.StartsWith($"cannot reach S3 endpoint http://127.0.0.1:{port}: ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task OpenAsync_UnknownProfile_SaysSo()
    {
        var options = Options("some-bucket");
        options.Profile = "no-such-profile-" + Guid.NewGuid().ToString("N");
        var error = await Assert.ThrowsAsync<S3SourceException>(() => S3Source.OpenAsync("s3://some-bucket", options));
        Assert.Contains($"AWS profile '{options.Profile}' not found", error.Message);
    }

    [Fact]
    public async Task OpenAsync_BadOption_SaysWhich()
    {
        var options = Options("some-bucket");
        options.PartSize = 1024;
        var error = await Assert.ThrowsAsync<S3SourceException>(() => S3Source.OpenAsync("s3://some-bucket", options));
        Assert.Contains("PartSize must be 5 MiB to 5 GiB", error.Message);
    }

    /// <summary>Runs <paramref name="body"/> with these environment variables, restoring them after (the SDK's default chain reads them at each request).</summary>
    private static async Task WithEnvironmentAsync(IReadOnlyDictionary<string, string?> variables, Func<Task> body)
    {
        var previous = variables.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        foreach (var (name, value) in variables) Environment.SetEnvironmentVariable(name, value);
        try
        {
            await body();
        }
        finally
        {
            foreach (var (name, value) in previous) Environment.SetEnvironmentVariable(name, value);
        }
    }

    [Fact]
    public async Task OpenAsync_ReachableBucket_MountsThePrefixWithCredentialsFromTheDefaultChain()
    {
        var bucket = await server.CreateBucketAsync();
        await server.PutAsync(bucket, "p q/file", [1, 2]);
        var options = S3TestContext.Options(server, "placeholder");
        await WithEnvironmentAsync(new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = S3rverFixture.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = S3rverFixture.SecretKey,
        }, async () =>
        {
            await using var vfs = await S3Source.OpenAsync($"s3://{bucket}/p q", options);
            Assert.Equal(["file"], await vfs.ListAsync(VfsPath.Root, CancellationToken.None).Select(e => e.Name).ToListAsync());
        });
    }

    [Fact]
    public async Task OpenAsync_NoCredentialsAnywhere_SaysSo()
    {
        var bucket = await server.CreateBucketAsync();
        var options = S3TestContext.Options(server, "placeholder");
        await WithEnvironmentAsync(new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = null,
            ["AWS_SECRET_ACCESS_KEY"] = null,
            ["AWS_SESSION_TOKEN"] = null,
            ["AWS_PROFILE"] = null,
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(Path.GetTempPath(), "no-such-credentials-file"),
            ["AWS_CONFIG_FILE"] = Path.Combine(Path.GetTempPath(), "no-such-config-file"),
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        }, async () =>
        {
            var error = await Assert.ThrowsAsync<S3SourceException>(() => S3Source.OpenAsync($"s3://{bucket}", options));
            Assert.StartsWith("no AWS credentials found", error.Message);
        });
    }
}
