using Amazon.S3;
using Vfs.Testing.S3;

namespace Vfs.S3.Tests;

/// <summary>One s3rver for every test class that talks to it (classes in the collection run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class S3rverCollection : ICollectionFixture<S3rverFixture>
{
    public const string Name = "s3rver";
}

/// <summary>Builds S3Vfs instances over the shared s3rver, each on a fresh bucket.</summary>
internal static class S3TestContext
{
    public static S3VfsOptions Options(S3rverFixture server, string bucket, string prefix = "") => new()
    {
        Bucket = bucket,
        Prefix = prefix,
        Endpoint = server.Endpoint,
        ForcePathStyle = true,
        Region = S3rverFixture.Region,
        DefaultUid = 1000,
        DefaultGid = 1000,
        Resilience = new S3ResilienceOptions
        {
            RetryBaseDelay = TimeSpan.FromMilliseconds(5),
            RetryMaxDelay = TimeSpan.FromMilliseconds(50),
            AttemptTimeout = TimeSpan.FromSeconds(30),
        },
    };

    public static S3Vfs Create(S3rverFixture server, S3VfsOptions options, Action<AmazonS3Config>? configure = null)
    {
        var config = S3ClientFactory.CreateConfig(options);
        configure?.Invoke(config);
        return new S3Vfs(new AmazonS3Client(S3rverFixture.Credentials, config), options, ownsClient: true);
    }

    public static async Task<(S3Vfs Vfs, string Bucket)> CreateAsync(S3rverFixture server, string prefix = "", Action<S3VfsOptions>? tune = null)
    {
        var bucket = await server.CreateBucketAsync();
        var options = Options(server, bucket, prefix);
        tune?.Invoke(options);
        return (Create(server, options), bucket);
    }
}
