using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Vfs.Testing.S3;

/// <summary>
/// An in-memory S3 bucket behind the SDK's client type, for the paths a real test server cannot take: keys s3rver
/// cannot store (<c>a//b</c>, <c>.</c>, names over 255 bytes), UploadPartCopy that works (s3rver lacks it) or is
/// missing, AbortMultipartUpload that works or answers 405. Only the calls S3Vfs makes are implemented; each call
/// is counted by name. Keys are ordered by their UTF-8 bytes, as S3 orders them.
/// </summary>
public sealed class InMemoryS3Client : AmazonS3Client
{
    private sealed record StoredObject(byte[] Data, Dictionary<string, string> Metadata, string ETag, DateTime LastModified);

    private sealed class Upload(string key, Dictionary<string, string> metadata)
    {
        public string Key { get; } = key;
        public Dictionary<string, string> Metadata { get; } = metadata;
        public ConcurrentDictionary<int, byte[]> Parts { get; } = new();
    }

    private readonly SortedDictionary<string, StoredObject> _objects = new(Utf8Comparer.Instance);
    private readonly ConcurrentDictionary<string, Upload> _uploads = new();
    private readonly ConcurrentDictionary<string, int> _calls = new();
    private readonly Lock _sync = new();

    public InMemoryS3Client()
        : base(new BasicAWSCredentials("fake", "fake"), new AmazonS3Config { ServiceURL = "http://in-memory.invalid", ForcePathStyle = true })
    {
    }

    /// <summary>UploadPartCopy answers 501 NotImplemented, as on s3rver.</summary>
    public bool PartCopyNotImplemented { get; set; }

    /// <summary>AbortMultipartUpload answers 405 MethodNotAllowed, as on s3rver.</summary>
    public bool AbortNotAllowed { get; set; }

    /// <summary>Multipart uploads started and neither completed nor aborted.</summary>
    public int OpenUploads => _uploads.Count;

    public int Calls(string operation) => _calls.GetValueOrDefault(operation);

    public IReadOnlyList<string> Keys
    {
        get
        {
            lock (_sync) return [.. _objects.Keys];
        }
    }

    public byte[] Get(string key)
    {
        lock (_sync) return _objects[key].Data;
    }

    public IReadOnlyDictionary<string, string> MetadataOf(string key)
    {
        lock (_sync) return _objects[key].Metadata;
    }

    public void Put(string key, byte[] data, IDictionary<string, string>? metadata = null)
    {
        var stored = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in metadata ?? new Dictionary<string, string>()) stored["x-amz-meta-" + name] = value;
        Store(key, data, stored);
    }

    private void Count(string operation) => _calls.AddOrUpdate(operation, 1, (_, n) => n + 1);

    private string Store(string key, byte[] data, Dictionary<string, string> metadata)
    {
        var etag = "\"" + Convert.ToHexString(MD5.HashData(data)).ToLowerInvariant() + "\"";
        lock (_sync) _objects[key] = new StoredObject(data, metadata, etag, DateTime.UtcNow);
        return etag;
    }

    private StoredObject Find(string key)
    {
        lock (_sync)
        {
            if (_objects.TryGetValue(key, out var found)) return found;
        }
        throw Error(HttpStatusCode.NotFound, "NoSuchKey");
    }

    private static AmazonS3Exception Error(HttpStatusCode status, string code) => new($"{code} (in-memory S3)")
    {
        StatusCode = status,
        ErrorCode = code,
    };

    private static Dictionary<string, string> MetadataOf(MetadataCollection metadata)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in metadata.Keys) result[key.StartsWith("x-amz-meta-", StringComparison.Ordinal) ? key : "x-amz-meta-" + key] = metadata[key];
        return result;
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var output = new MemoryStream();
        stream.CopyTo(output);
        return output.ToArray();
    }

    public override Task<GetObjectMetadataResponse> GetObjectMetadataAsync(GetObjectMetadataRequest request, CancellationToken cancellationToken = default)
    {
        Count("HEAD");
        var found = Find(request.Key);
        var response = new GetObjectMetadataResponse { ContentLength = found.Data.Length, ETag = found.ETag, LastModified = found.LastModified, HttpStatusCode = HttpStatusCode.OK };
        foreach (var (name, value) in found.Metadata) response.Metadata.Add(name, value);
        return Task.FromResult(response);
    }

    public override Task<ListObjectsV2Response> ListObjectsV2Async(ListObjectsV2Request request, CancellationToken cancellationToken = default)
    {
        Count("LIST");
        var prefix = request.Prefix ?? "";
        var after = request.ContinuationToken ?? request.StartAfter ?? "";
        int max = request.MaxKeys ?? 1000;
        var response = new ListObjectsV2Response { S3Objects = [], CommonPrefixes = [], IsTruncated = false };
        string? last = null;
        lock (_sync)
        {
            foreach (var (key, stored) in _objects)
            {
                if (!key.StartsWith(prefix, StringComparison.Ordinal) || Utf8Comparer.Instance.Compare(key, after) <= 0) continue;
                string entry = key;
                bool isPrefix = false;
                if (!string.IsNullOrEmpty(request.Delimiter))
                {
                    int idx = key.IndexOf(request.Delimiter, prefix.Length, StringComparison.Ordinal);
                    if (idx >= 0)
                    {
                        entry = key[..(idx + request.Delimiter.Length)];
                        isPrefix = true;
                        if (response.CommonPrefixes.Contains(entry) || Utf8Comparer.Instance.Compare(entry, after) <= 0 && after.StartsWith(entry, StringComparison.Ordinal)) continue;
                    }
                }
                if (response.S3Objects.Count + response.CommonPrefixes.Count == max)
                {
                    response.IsTruncated = true;
                    response.NextContinuationToken = last;
                    break;
                }
                if (isPrefix)
                {
                    response.CommonPrefixes.Add(entry);
                    last = entry + "\uffff"; // the next page starts after every key under this prefix
                }
                else
                {
                    response.S3Objects.Add(new S3Object { Key = key, Size = stored.Data.Length, ETag = stored.ETag, LastModified = stored.LastModified });
                    last = key;
                }
            }
        }
        return Task.FromResult(response);
    }

    public override Task<GetObjectResponse> GetObjectAsync(GetObjectRequest request, CancellationToken cancellationToken = default)
    {
        Count("GET");
        var found = Find(request.Key);
        if (request.EtagToMatch is { } match && match != found.ETag) throw Error(HttpStatusCode.PreconditionFailed, "PreconditionFailed");
        long start = 0, end = found.Data.Length - 1;
        if (request.ByteRange is { } range)
        {
            start = range.Start;
            end = Math.Min(range.End, found.Data.Length - 1);
        }
        var body = found.Data.AsSpan((int)start, (int)(end - start + 1)).ToArray();
        return Task.FromResult(new GetObjectResponse { ResponseStream = new MemoryStream(body), ContentLength = body.Length, ETag = found.ETag, HttpStatusCode = HttpStatusCode.OK });
    }

    public override Task<PutObjectResponse> PutObjectAsync(PutObjectRequest request, CancellationToken cancellationToken = default)
    {
        Count("PUT");
        var etag = Store(request.Key, ReadAll(request.InputStream), MetadataOf(request.Metadata));
        return Task.FromResult(new PutObjectResponse { ETag = etag, HttpStatusCode = HttpStatusCode.OK });
    }

    public override Task<CopyObjectResponse> CopyObjectAsync(CopyObjectRequest request, CancellationToken cancellationToken = default)
    {
        Count("COPY");
        var source = Find(request.SourceKey);
        var metadata = request.MetadataDirective == S3MetadataDirective.REPLACE ? MetadataOf(request.Metadata) : new Dictionary<string, string>(source.Metadata);
        var etag = Store(request.DestinationKey, source.Data, metadata);
        return Task.FromResult(new CopyObjectResponse { ETag = etag, HttpStatusCode = HttpStatusCode.OK });
    }

    public override Task<DeleteObjectResponse> DeleteObjectAsync(DeleteObjectRequest request, CancellationToken cancellationToken = default)
    {
        Count("DELETE");
        lock (_sync) _objects.Remove(request.Key);
        return Task.FromResult(new DeleteObjectResponse { HttpStatusCode = HttpStatusCode.NoContent });
    }

    public override Task<DeleteObjectsResponse> DeleteObjectsAsync(DeleteObjectsRequest request, CancellationToken cancellationToken = default)
    {
        Count("DELETE");
        lock (_sync)
        {
            foreach (var key in request.Objects) _objects.Remove(key.Key);
        }
        return Task.FromResult(new DeleteObjectsResponse { DeleteErrors = [], HttpStatusCode = HttpStatusCode.OK });
    }

    public override Task<InitiateMultipartUploadResponse> InitiateMultipartUploadAsync(InitiateMultipartUploadRequest request, CancellationToken cancellationToken = default)
    {
        Count("CreateMultipartUpload");
        var id = Guid.NewGuid().ToString("N");
        _uploads[id] = new Upload(request.Key, MetadataOf(request.Metadata));
        return Task.FromResult(new InitiateMultipartUploadResponse { UploadId = id, Key = request.Key, HttpStatusCode = HttpStatusCode.OK });
    }

    public override Task<UploadPartResponse> UploadPartAsync(UploadPartRequest request, CancellationToken cancellationToken = default)
    {
        Count("UploadPart");
        var upload = _uploads.GetValueOrDefault(request.UploadId) ?? throw Error(HttpStatusCode.NotFound, "NoSuchUpload");
        var data = ReadAll(request.InputStream);
        upload.Parts[request.PartNumber ?? 0] = data;
        return Task.FromResult(new UploadPartResponse { ETag = "\"" + Convert.ToHexString(MD5.HashData(data)) + "\"", PartNumber = request.PartNumber, HttpStatusCode = HttpStatusCode.OK });
    }

    public override Task<CopyPartResponse> CopyPartAsync(CopyPartRequest request, CancellationToken cancellationToken = default)
    {
        Count("UploadPartCopy");
        if (PartCopyNotImplemented) throw Error(HttpStatusCode.NotImplemented, "NotImplemented");
        var upload = _uploads.GetValueOrDefault(request.UploadId) ?? throw Error(HttpStatusCode.NotFound, "NoSuchUpload");
        var source = Find(request.SourceKey);
        long first = request.FirstByte ?? 0, last = request.LastByte ?? source.Data.Length - 1;
        var data = source.Data.AsSpan((int)first, (int)(last - first + 1)).ToArray();
        upload.Parts[request.PartNumber ?? 0] = data;
        return Task.FromResult(new CopyPartResponse { ETag = "\"" + Convert.ToHexString(MD5.HashData(data)) + "\"", PartNumber = request.PartNumber, HttpStatusCode = HttpStatusCode.OK });
    }

    public override Task<CompleteMultipartUploadResponse> CompleteMultipartUploadAsync(CompleteMultipartUploadRequest request, CancellationToken cancellationToken = default)
    {
        Count("CompleteMultipartUpload");
        if (!_uploads.TryRemove(request.UploadId, out var upload)) throw Error(HttpStatusCode.NotFound, "NoSuchUpload");
        using var body = new MemoryStream();
        foreach (var part in request.PartETags.OrderBy(p => p.PartNumber)) body.Write(upload.Parts[part.PartNumber ?? 0]);
        var etag = Store(upload.Key, body.ToArray(), upload.Metadata);
        return Task.FromResult(new CompleteMultipartUploadResponse { ETag = etag, Key = upload.Key, HttpStatusCode = HttpStatusCode.OK });
    }

    public override Task<AbortMultipartUploadResponse> AbortMultipartUploadAsync(AbortMultipartUploadRequest request, CancellationToken cancellationToken = default)
    {
        Count("AbortMultipartUpload");
        if (AbortNotAllowed) throw Error(HttpStatusCode.MethodNotAllowed, "MethodNotAllowed");
        _uploads.TryRemove(request.UploadId, out _);
        return Task.FromResult(new AbortMultipartUploadResponse { HttpStatusCode = HttpStatusCode.NoContent });
    }

    private sealed class Utf8Comparer : IComparer<string>
    {
        public static readonly Utf8Comparer Instance = new();

        public int Compare(string? x, string? y) =>
            Encoding.UTF8.GetBytes(x ?? "").AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? ""));
    }
}
