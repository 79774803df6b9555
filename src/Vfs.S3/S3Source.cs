using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;

namespace Vfs.S3;

/// <summary>
/// The <c>s3://bucket[/prefix]</c> source of a mount: parses the URL into <see cref="S3VfsOptions"/> and, before
/// anything is mounted, checks that the endpoint answers, the credentials are accepted and the bucket exists
/// (one LIST of at most one key, no retries), so each of those failures is one clear line
/// (<see cref="S3SourceException"/>) rather than a mount whose every operation fails.
/// </summary>
public static class S3Source
{
    public const string Scheme = "s3://";

    /// <summary>True when <paramref name="source"/> names an S3 bucket.</summary>
    public static bool IsS3(string source) => source.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>Fills <see cref="S3VfsOptions.Bucket"/> and <see cref="S3VfsOptions.Prefix"/> from <c>s3://bucket[/prefix]</c>.</summary>
    /// <exception cref="S3SourceException">Not an s3:// URL, or no bucket.</exception>
    public static void Parse(string source, S3VfsOptions options)
    {
        if (!IsS3(source)) throw new S3SourceException($"not an S3 source (expected s3://bucket[/prefix]): '{source}'");
        var rest = source[Scheme.Length..];
        int slash = rest.IndexOf('/');
        options.Bucket = slash < 0 ? rest : rest[..slash];
        options.Prefix = slash < 0 ? "" : rest[(slash + 1)..];
        if (options.Bucket.Length == 0) throw new S3SourceException($"no bucket in '{source}' (expected s3://bucket[/prefix])");
    }

    /// <summary>Validates the options and checks the bucket can be listed with the credentials in force.</summary>
    /// <exception cref="S3SourceException">Bad option, unknown bucket, credentials refused, endpoint unreachable.</exception>
    public static async Task CheckAsync(S3VfsOptions options, IAmazonS3 client, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new S3SourceException(OneLine(e), e);
        }
        string where = options.Endpoint ?? "AWS S3" + (options.Region is null ? "" : $" ({options.Region})");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await client.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = options.Bucket,
                Prefix = options.NormalizedPrefix.Length == 0 ? null : options.NormalizedPrefix,
                MaxKeys = 1,
            }, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new S3SourceException($"cannot reach S3 endpoint {where}: no answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (AmazonServiceException e) when ((int)e.StatusCode == 404 || e.ErrorCode == "NoSuchBucket")
        {
            throw new S3SourceException($"bucket '{options.Bucket}' does not exist at {where}", e);
        }
        catch (AmazonServiceException e) when ((int)e.StatusCode is 401 or 403
            || e.ErrorCode is "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "AccessDenied" or "ExpiredToken")
        {
            throw new S3SourceException($"access to bucket '{options.Bucket}' at {where} denied ({e.ErrorCode}): check the credentials"
                + (options.Profile is null ? " (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ~/.aws, --profile)" : $" of profile '{options.Profile}'"), e);
        }
        catch (AmazonServiceException e) when (e.StatusCode != 0)
        {
            throw new S3SourceException($"S3 endpoint {where} refused to list bucket '{options.Bucket}': {(int)e.StatusCode} {e.ErrorCode} {e.Message}".TrimEnd(), e);
        }
        catch (AmazonClientException e) when (e.Message.Contains("credential", StringComparison.OrdinalIgnoreCase))
        {
            throw new S3SourceException("no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, configure ~/.aws, or pass --profile", e);
        }
        catch (Exception e) when (e is AmazonClientException or AmazonServiceException or HttpRequestException or IOException)
        {
            var root = e;
            while (root.InnerException is not null) root = root.InnerException;
            throw new S3SourceException($"cannot reach S3 endpoint {where}: {root.Message}", e);
        }
    }

    /// <summary>An option's complaint without .NET's " (Parameter 'X')" suffix.</summary>
    private static string OneLine(ArgumentException e) =>
        e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);

    /// <summary>Parses <paramref name="source"/>, builds the client, checks the bucket, and returns the store ready to mount.</summary>
    public static async Task<S3Vfs> OpenAsync(string source, S3VfsOptions options, ILogger? logger = null, TimeProvider? timeProvider = null,
        TimeSpan? checkTimeout = null, CancellationToken cancellationToken = default)
    {
        Parse(source, options);
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new S3SourceException(OneLine(e), e);
        }
        IAmazonS3 client;
        try
        {
            client = S3ClientFactory.Create(options);
        }
        catch (AmazonClientException e)
        {
            throw new S3SourceException($"cannot set up the S3 client: {e.Message}", e);
        }
        try
        {
            await CheckAsync(options, client, checkTimeout ?? TimeSpan.FromSeconds(15), cancellationToken).ConfigureAwait(false);
            return new S3Vfs(client, options, logger, timeProvider, ownsClient: true);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }
}
