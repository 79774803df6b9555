using System.Diagnostics;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Xunit;

namespace Vfs.Testing.S3;

/// <summary>
/// A real s3rver 3.7.1 on 127.0.0.1 for the tests of any layer that talks to S3.
/// </summary>
/// <remarks>
/// Started through <c>s3rver-wrapper.js</c> (beside this file), which corrects two s3rver bugs in the server: nested
/// implicit directories missing from delimited listings, and the percent-encoded copy source. Node runs with
/// <c>--openssl-legacy-provider</c> (s3rver signs continuation tokens with DES; without it every listing past 1000
/// keys fails). The server gets a free port, its own temporary data directory and an environment without
/// AWS_CA_BUNDLE; it is stopped by its PID and the directory deleted on dispose, whatever the tests did, and it
/// exits by itself if the test process dies. s3rver accepts any credentials.
/// </remarks>
public sealed class S3rverFixture : IAsyncLifetime
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";
    public const string Region = "us-east-1";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private Process? _process;
    private AmazonS3Client? _client;
    private int _bucketCounter;

    /// <summary>The endpoint URL, <c>http://127.0.0.1:PORT</c>.</summary>
    public string Endpoint { get; private set; } = "";

    public int ProcessId => _process?.Id ?? 0;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "s3rver-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>A raw SDK client configured for this server (path style, no chunk encoding), to inspect objects directly.</summary>
    public AmazonS3Client Client => _client ?? throw new InvalidOperationException("the server is not started");

    public static AWSCredentials Credentials => new BasicAWSCredentials(AccessKey, SecretKey);

    /// <summary>The SDK settings that work against s3rver over plain http (see DESIGN.md "Testing").</summary>
    public AmazonS3Config CreateClientConfig() => new()
    {
        ServiceURL = Endpoint,
        ForcePathStyle = true,
        AuthenticationRegion = Region,
        MaxErrorRetry = 0,
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    };

    public async Task InitializeAsync()
    {
        var repo = RepositoryRoot();
        var module = Path.Combine(repo, ".tools", "node_modules", "s3rver");
        if (!File.Exists(Path.Combine(module, "package.json")))
            throw new InvalidOperationException($"s3rver is not installed in {module}: run `source scripts/prereqs.sh; ensure_s3rver` (./test does)");
        var wrapper = Path.Combine(AppContext.BaseDirectory, "S3", "s3rver-wrapper.js");
        Directory.CreateDirectory(DataDirectory);

        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--openssl-legacy-provider", wrapper, module, DataDirectory, Environment.ProcessId.ToString() })
            start.ArgumentList.Add(arg);
        start.Environment.Remove("AWS_CA_BUNDLE");
        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var stderr = new System.Text.StringBuilder();
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        _process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(StartTimeout);
        string? line;
        try
        {
            line = await _process.StandardOutput.ReadLineAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            line = null;
        }
        if (line is null || !line.StartsWith("listening ", StringComparison.Ordinal))
        {
            await DisposeAsync();
            string errors;
            lock (stderr) errors = stderr.ToString();
            throw new InvalidOperationException($"s3rver did not start: {line} {errors}");
        }
        // keep draining stdout so the child never blocks on a full pipe
        _ = _process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        Endpoint = "http://127.0.0.1:" + int.Parse(line["listening ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        _client = new AmazonS3Client(Credentials, CreateClientConfig());

        // it answers once a request succeeds
        while (true)
        {
            try
            {
                await _client.ListBucketsAsync(timeout.Token);
                break;
            }
            catch (Exception) when (!timeout.IsCancellationRequested)
            {
                await Task.Delay(50, timeout.Token);
            }
        }
    }

    /// <summary>Creates a new, empty bucket with a unique name (3 to 63 characters, as s3rver wants).</summary>
    public async Task<string> CreateBucketAsync(string? name = null)
    {
        name ??= $"test-{Interlocked.Increment(ref _bucketCounter)}-{Guid.NewGuid().ToString("N")[..8]}";
        await Client.PutBucketAsync(new PutBucketRequest { BucketName = name });
        return name;
    }

    /// <summary>Every key in <paramref name="bucket"/> (under <paramref name="prefix"/>), in S3 order.</summary>
    public async Task<List<string>> ListKeysAsync(string bucket, string prefix = "")
    {
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
        while (true)
        {
            var page = await Client.ListObjectsV2Async(request);
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            if (page.IsTruncated != true) return keys;
            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    /// <summary>The stored bytes of one object, read with the raw SDK.</summary>
    public async Task<byte[]> GetBytesAsync(string bucket, string key)
    {
        using var response = await Client.GetObjectAsync(bucket, key);
        using var output = new MemoryStream();
        await response.ResponseStream.CopyToAsync(output);
        return output.ToArray();
    }

    /// <summary>Writes an object directly, bypassing the product (to set up foreign keys and metadata).</summary>
    public async Task PutAsync(string bucket, string key, byte[] content, IDictionary<string, string>? metadata = null)
    {
        var request = new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            InputStream = new MemoryStream(content),
            UseChunkEncoding = false,
        };
        foreach (var (name, value) in metadata ?? new Dictionary<string, string>()) request.Metadata[name] = value;
        await Client.PutObjectAsync(request);
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        _client = null;
        if (_process is { } process)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: false); // by PID, never by name
                    await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
                // already gone, or refuses to die: nothing more a test can do
            }
            process.Dispose();
            _process = null;
        }
        try
        {
            if (Directory.Exists(DataDirectory)) Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // a file still held open: the temp dir is reclaimed by the OS
        }
    }

    /// <summary>The repository root: the nearest folder above the test binaries holding LayeredVfs.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LayeredVfs.sln"))) return dir.FullName;
        throw new InvalidOperationException("LayeredVfs.sln not found above " + AppContext.BaseDirectory);
    }
}
