using System.Security.Cryptography;
using Vfs.Testing.Mount;
using Vfs.Testing.S3;

namespace Vfs.Fuse.Tests.Stack;

/// <summary>
/// One s3rver for a test class, and mounts of its buckets through the full stack (`vfs mount s3://BUCKET` in a child
/// process: FUSE -> MetadataCacheVfs -> ContentCacheVfs -> S3Vfs), each with its own cache directory unless given one.
/// Credentials reach the child through the environment (the SDK's default chain), as they would for a user.
/// </summary>
public sealed class S3StackFixture : IAsyncLifetime
{
    private readonly List<string> _cacheDirectories = [];

    public S3rverFixture Server { get; } = new();

    public async Task InitializeAsync()
    {
        await Server.InitializeAsync();
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", S3rverFixture.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", S3rverFixture.SecretKey);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        lock (_cacheDirectories)
        {
            foreach (var directory in _cacheDirectories)
                if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>A fresh cache directory path (not created: the mount creates it), deleted with the fixture.</summary>
    public string NewCacheDirectory()
    {
        string directory = Path.Combine(Path.GetTempPath(), "vfs-stack-cache-" + Guid.NewGuid().ToString("N")[..12]);
        lock (_cacheDirectories) _cacheDirectories.Add(directory);
        return directory;
    }

    /// <summary>The argument list of `vfs mount s3://BUCKET MNT` against this server, plus <paramref name="options"/>.</summary>
    public string[] MountOptions(string? cacheDirectory, params string[] options) =>
    [
        "--endpoint", Server.Endpoint, "--path-style", "--region", S3rverFixture.Region,
        .. cacheDirectory is null ? Array.Empty<string>() : ["--cache-dir", cacheDirectory],
        .. options,
    ];

    /// <summary>Mounts <paramref name="bucket"/> through the full stack.</summary>
    public Task<VfsMount> MountAsync(string bucket, string? cacheDirectory = null, params string[] options) =>
        VfsMount.StartAsync("s3://" + bucket, MountOptions(cacheDirectory ?? NewCacheDirectory(), options));

    /// <summary>Polls the bucket (raw SDK) until <paramref name="key"/> holds <paramref name="expected"/>; returns how long it took.</summary>
    public async Task<TimeSpan> WaitForObjectAsync(string bucket, string key, byte[] expected, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        byte[]? last = null;
        while (clock.Elapsed < timeout)
        {
            try
            {
                last = await Server.GetBytesAsync(bucket, key);
                if (last.AsSpan().SequenceEqual(expected)) return clock.Elapsed;
            }
            catch (Exception e) when (e is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or IOException)
            {
                // Not there yet, or read while s3rver was replacing it (a cut body, a failed MD5 check, a 500).
            }
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException(
            $"s3://{bucket}/{key} did not become the expected {expected.Length} bytes within {timeout}: it has {(last is null ? "no object" : last.Length + " bytes, sha256 " + Sha(last))}");
    }

    public static string Sha(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
