using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Polly;
using Vfs.Abstractions;

namespace Vfs.S3;

/// <summary>What a HEAD (or a listing) tells of one object.</summary>
internal sealed record S3ObjectInfo(string Key, long Size, DateTimeOffset LastModified, string? ETag, IReadOnlyDictionary<string, string>? Metadata);

/// <summary>One page of a ListObjectsV2: objects and common prefixes, and the token of the next page (null at the end).</summary>
internal sealed record S3ListPage(IReadOnlyList<S3ObjectInfo> Objects, IReadOnlyList<string> CommonPrefixes, string? NextToken);

/// <summary>
/// The narrow object interface S3Vfs needs, over the SDK: every call runs in the one resilience pipeline with the
/// pipeline's token, and its failures leave as <see cref="VfsException"/> (<see cref="S3Errors"/>). Bodies are
/// sent from memory, so a retried attempt sends them again from the start. Stateless apart from the "told once"
/// warnings; thread-safe.
/// </summary>
internal sealed class S3ObjectClient
{
    private readonly IAmazonS3 _s3;
    private readonly ResiliencePipeline _pipeline;
    private readonly bool _useChunkEncoding;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, bool> _toldOnce = new(StringComparer.Ordinal);

    public S3ObjectClient(IAmazonS3 s3, string bucket, ResiliencePipeline pipeline, bool useChunkEncoding, ILogger logger)
    {
        _s3 = s3;
        Bucket = bucket;
        _pipeline = pipeline;
        _useChunkEncoding = useChunkEncoding;
        _logger = logger;
    }

    public string Bucket { get; }

    /// <summary>The requests sent so far, by kind.</summary>
    public S3RequestCounts Requests { get; } = new();

    /// <summary>Logs <paramref name="message"/> the first time <paramref name="topic"/> comes up (a server that lacks a feature, a key that is no name).</summary>
    public void WarnOnce(string topic, string message)
    {
        if (_toldOnce.Count < 10_000 && _toldOnce.TryAdd(topic, true)) _logger.LogWarning("{Message}", message);
    }

    /// <param name="kind">What the request counts as, when not <paramref name="operation"/> (the name errors use).</param>
    private async Task<T> RunAsync<T>(string operation, string key, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken, string? kind = null)
    {
        try
        {
            return await _pipeline.ExecuteAsync(static async (state, token) =>
            {
                state.Requests.Add(state.Kind);
                return await state.Call(token).ConfigureAwait(false);
            }, (Requests, Kind: kind ?? operation, Call: call), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            throw S3Errors.Translate(e, operation, key);
        }
    }

    /// <summary>HEAD; null when the object does not exist.</summary>
    public async Task<S3ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await RunAsync("HEAD", key, async token =>
            {
                var response = await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = key }, token).ConfigureAwait(false);
                var metadata = S3Metadata.Normalize(response.Metadata.Keys.Select(k => new KeyValuePair<string, string>(k, response.Metadata[k])));
                return new S3ObjectInfo(key, response.ContentLength, ToOffset(response.LastModified), response.ETag, metadata);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (VfsException e) when (e.Errno == Errno.ENOENT)
        {
            return null;
        }
    }

    public Task<S3ListPage> ListAsync(string prefix, string? delimiter, string? continuationToken, int maxKeys, CancellationToken cancellationToken) =>
        RunAsync("LIST", prefix, async token =>
        {
            var response = await _s3.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = Bucket,
                Prefix = prefix.Length == 0 ? null : prefix,
                Delimiter = delimiter,
                ContinuationToken = continuationToken,
                MaxKeys = maxKeys,
            }, token).ConfigureAwait(false);
            var objects = (response.S3Objects ?? []).Select(o => new S3ObjectInfo(o.Key, o.Size ?? 0, ToOffset(o.LastModified), o.ETag, null)).ToList();
            return new S3ListPage(objects, response.CommonPrefixes ?? [], response.IsTruncated == true ? response.NextContinuationToken : null);
        }, cancellationToken);

    /// <summary>
    /// Reads <c>destination.Length</c> bytes at <paramref name="offset"/> (a ranged GET, read fully inside the attempt so
    /// a dropped connection is retried). ESTALE when the object is no longer version <paramref name="expectedETag"/>:
    /// S3 answers 412 to If-Match, and servers that ignore If-Match are caught by comparing the ETag returned.
    /// </summary>
    public Task<int> GetRangeAsync(string key, long offset, Memory<byte> destination, string? expectedETag, CancellationToken cancellationToken) =>
        RunAsync("GET", key, async token =>
        {
            var request = new GetObjectRequest { BucketName = Bucket, Key = key, EtagToMatch = expectedETag };
            if (destination.Length > 0) request.ByteRange = new ByteRange(offset, offset + destination.Length - 1);
            using var response = await _s3.GetObjectAsync(request, token).ConfigureAwait(false);
            if (expectedETag is not null && response.ETag is not null && response.ETag != expectedETag)
                throw new VfsException(Errno.ESTALE, $"S3 GET '{key}': the object changed since it was opened (ETag {response.ETag}, expected {expectedETag})");
            int total = 0;
            var stream = response.ResponseStream;
            while (total < destination.Length)
            {
                int n = await stream.ReadAsync(destination[total..], token).ConfigureAwait(false);
                if (n == 0) break;
                total += n;
            }
            return total;
        }, cancellationToken);

    /// <summary>The whole body of a small object (a symlink's target).</summary>
    public Task<byte[]> GetAllAsync(string key, CancellationToken cancellationToken) =>
        RunAsync("GET", key, async token =>
        {
            using var response = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = key }, token).ConfigureAwait(false);
            using var output = new MemoryStream();
            await response.ResponseStream.CopyToAsync(output, token).ConfigureAwait(false);
            return output.ToArray();
        }, cancellationToken);

    /// <summary>PUT of a whole object from memory; returns its ETag.</summary>
    public Task<string?> PutAsync(string key, ReadOnlyMemory<byte> body, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken) =>
        RunAsync<string?>("PUT", key, async token =>
        {
            var request = new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = ReadOnlyStream(body), UseChunkEncoding = _useChunkEncoding };
            foreach (var (name, value) in metadata) request.Metadata[name] = value;
            var response = await _s3.PutObjectAsync(request, token).ConfigureAwait(false);
            return response.ETag;
        }, cancellationToken);

    /// <summary>Server-side copy of an object up to 5 GiB; with <paramref name="replaceMetadata"/> the copy gets that metadata (REPLACE), else the source's (COPY).</summary>
    public Task<string?> CopyAsync(string sourceKey, string destinationKey, IReadOnlyDictionary<string, string>? replaceMetadata, CancellationToken cancellationToken) =>
        RunAsync<string?>("COPY", sourceKey + " -> " + destinationKey, async token =>
        {
            var request = new CopyObjectRequest
            {
                SourceBucket = Bucket,
                SourceKey = sourceKey,
                DestinationBucket = Bucket,
                DestinationKey = destinationKey,
                MetadataDirective = replaceMetadata is null ? S3MetadataDirective.COPY : S3MetadataDirective.REPLACE,
            };
            foreach (var (name, value) in replaceMetadata ?? new Dictionary<string, string>()) request.Metadata[name] = value;
            var response = await _s3.CopyObjectAsync(request, token).ConfigureAwait(false);
            return response.ETag;
        }, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        RunAsync("DELETE", key, async token =>
        {
            await _s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = key }, token).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>Deletes up to 1000 keys in one DeleteObjects call; EIO naming the first key the server refused.</summary>
    public Task DeleteManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
        RunAsync("DELETE", keys.Count > 0 ? keys[0] : "", async token =>
        {
            var request = new DeleteObjectsRequest { BucketName = Bucket, Quiet = true, Objects = keys.Select(k => new KeyVersion { Key = k }).ToList() };
            var response = await _s3.DeleteObjectsAsync(request, token).ConfigureAwait(false);
            if (response.DeleteErrors is { Count: > 0 } errors)
                throw new VfsException(Errno.EIO, $"S3 DELETE '{errors[0].Key}': {errors[0].Code} {errors[0].Message}");
            return true;
        }, cancellationToken, kind: "DeleteObjects");

    public Task<string> InitiateMultipartAsync(string key, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken) =>
        RunAsync("CreateMultipartUpload", key, async token =>
        {
            var request = new InitiateMultipartUploadRequest { BucketName = Bucket, Key = key };
            foreach (var (name, value) in metadata) request.Metadata[name] = value;
            var response = await _s3.InitiateMultipartUploadAsync(request, token).ConfigureAwait(false);
            return response.UploadId;
        }, cancellationToken);

    public Task<string> UploadPartAsync(string key, string uploadId, int partNumber, ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        RunAsync("UploadPart", key, async token =>
        {
            var response = await _s3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = Bucket,
                Key = key,
                UploadId = uploadId,
                PartNumber = partNumber,
                InputStream = ReadOnlyStream(body),
                PartSize = body.Length,
                UseChunkEncoding = _useChunkEncoding,
            }, token).ConfigureAwait(false);
            return response.ETag;
        }, cancellationToken);

    /// <summary>UploadPartCopy of bytes [first, last] of <paramref name="sourceKey"/>; ENOSYS when the server lacks it.</summary>
    public Task<string> CopyPartAsync(string sourceKey, string destinationKey, string uploadId, int partNumber, long first, long last, CancellationToken cancellationToken) =>
        RunAsync("UploadPartCopy", destinationKey, async token =>
        {
            var response = await _s3.CopyPartAsync(new CopyPartRequest
            {
                SourceBucket = Bucket,
                SourceKey = sourceKey,
                DestinationBucket = Bucket,
                DestinationKey = destinationKey,
                UploadId = uploadId,
                PartNumber = partNumber,
                FirstByte = first,
                LastByte = last,
            }, token).ConfigureAwait(false);
            return response.ETag;
        }, cancellationToken);

    public Task<string?> CompleteMultipartAsync(string key, string uploadId, IEnumerable<(int PartNumber, string ETag)> parts, CancellationToken cancellationToken) =>
        RunAsync<string?>("CompleteMultipartUpload", key, async token =>
        {
            var request = new CompleteMultipartUploadRequest
            {
                BucketName = Bucket,
                Key = key,
                UploadId = uploadId,
                PartETags = parts.OrderBy(p => p.PartNumber).Select(p => new PartETag(p.PartNumber, p.ETag)).ToList(),
            };
            var response = await _s3.CompleteMultipartUploadAsync(request, token).ConfigureAwait(false);
            return response.ETag;
        }, cancellationToken);

    /// <summary>
    /// Abandons a multipart upload so its parts are freed. Never throws: a server without AbortMultipartUpload
    /// (s3rver answers 405) is told once; either way no object becomes visible, since only Complete makes one.
    /// </summary>
    public async Task AbortMultipartAsync(string key, string uploadId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await RunAsync("AbortMultipartUpload", key, async token =>
            {
                await _s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = uploadId }, token).ConfigureAwait(false);
                return true;
            }, timeout.Token).ConfigureAwait(false);
        }
        catch (VfsException e) when (e.Errno is Errno.ENOSYS)
        {
            WarnOnce("abort-unsupported", $"the S3 server does not support AbortMultipartUpload ({e.Message}); abandoned uploads stay on the server, invisible, until its own cleanup");
        }
        catch (Exception e) when (e is VfsException or OperationCanceledException)
        {
            _logger.LogWarning("could not abort multipart upload {UploadId} of '{Key}': {Error}", uploadId, key, e.Message);
        }
    }

    private static MemoryStream ReadOnlyStream(ReadOnlyMemory<byte> body)
    {
        if (!MemoryMarshal.TryGetArray(body, out var segment)) segment = new ArraySegment<byte>(body.ToArray());
        return new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false);
    }

    private static DateTimeOffset ToOffset(DateTime? time) =>
        time is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t, DateTimeKind.Utc)) : DateTimeOffset.UnixEpoch;
}
