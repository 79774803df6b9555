using Vfs.Abstractions;

namespace Vfs.S3;

/// <summary>
/// How <see cref="S3Vfs"/> reaches its bucket and how it moves data. Every value has a documented default and is
/// checked by <see cref="Validate"/> when the store starts, so a bad setting fails the mount with one clear line.
/// </summary>
public sealed class S3VfsOptions
{
    public const long MiB = 1024 * 1024;
    public const long GiB = 1024 * MiB;

    /// <summary>S3's smallest part (all but the last part of a multipart upload).</summary>
    public const long MinPartSize = 5 * MiB;

    /// <summary>S3's largest part and largest single PUT / CopyObject.</summary>
    public const long MaxPartSize = 5 * GiB;

    /// <summary>S3's limit on parts per upload.</summary>
    public const int MaxParts = 10_000;

    /// <summary>The bucket (required; 3 to 63 characters).</summary>
    public string Bucket { get; set; } = "";

    /// <summary>Key prefix mounted as the root, e.g. <c>photos/2024</c>; empty (the default) mounts the bucket root.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>Custom endpoint URL for S3-compatible servers (MinIO, Ceph, s3rver); null (the default) means AWS.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Region; null (the default) takes the SDK's chain (AWS_REGION, profile), else us-east-1.</summary>
    public string? Region { get; set; }

    /// <summary>Path-style addressing (<c>endpoint/bucket/key</c>), needed by most S3-compatible servers. Default false.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>Credentials profile from ~/.aws; null (the default) uses the SDK's default chain (environment, profile, instance role).</summary>
    public string? Profile { get; set; }

    /// <summary>
    /// aws-chunked, stream-signed request bodies for PUT and UploadPart. Null (the default) chooses per endpoint:
    /// off for a plain-http custom endpoint (S3-compatible servers such as s3rver store the chunk framing literally),
    /// on for https.
    /// </summary>
    public bool? UseChunkEncoding { get; set; }

    /// <summary>Multipart part size and the largest object sent in one PUT. Default 8 MiB; 5 MiB to 5 GiB.</summary>
    public long PartSize { get; set; } = 8 * MiB;

    /// <summary>Parts uploaded at once per open file; memory per writer is about PartSize x (this + 1). Default 4; 1 to 64.</summary>
    public int UploadConcurrency { get; set; } = 4;

    /// <summary>Objects larger than this are renamed by multipart copy (UploadPartCopy). Default 5 GiB (S3's CopyObject limit); 5 MiB to 5 GiB.</summary>
    public long MultipartCopyThreshold { get; set; } = 5 * GiB;

    /// <summary>First read-ahead window of a sequential reader. Default 1 MiB; 64 KiB to PrefetchMaxWindow.</summary>
    public long PrefetchInitialWindow { get; set; } = 1 * MiB;

    /// <summary>Largest read-ahead window (bytes held per sequential reader). Default 64 MiB; up to 1 GiB.</summary>
    public long PrefetchMaxWindow { get; set; } = 64 * MiB;

    /// <summary>Largest ranged GET of the prefetcher; the window is split into GETs of up to this size, run at once. Default 8 MiB.</summary>
    public long PrefetchMaxRequestSize { get; set; } = 8 * MiB;

    /// <summary>Extra bytes fetched after a random read, for small neighbouring reads. Default 64 KiB; 0 to 8 MiB.</summary>
    public int RandomReadahead { get; set; } = 64 * 1024;

    /// <summary>
    /// A listing HEADs each object (and directory marker) for its mode, uid, gid, mtime and symlink type. On by
    /// default (exact attributes, as s3fs does); off, entries carry LIST's size and LastModified with the default
    /// modes, and a symlink shows as a file until it is looked up.
    /// </summary>
    public bool ListingFetchesMetadata { get; set; } = true;

    /// <summary>HEADs in flight for one listing. Default 32; 1 to 256.</summary>
    public int ListingHeadConcurrency { get; set; } = 32;

    /// <summary>
    /// A file to which the mount appends one line of S3 request counts by kind when it is disposed (unmounted), for
    /// benchmarks. Default: the environment variable <c>LAYEREDVFS_S3_REQUEST_COUNTS</c>, or null (none written).
    /// </summary>
    public string? RequestCountsFile { get; set; } = Environment.GetEnvironmentVariable("LAYEREDVFS_S3_REQUEST_COUNTS") is { Length: > 0 } file ? file : null;

    /// <summary>Objects copied at once by a directory rename. Default 8; 1 to 64.</summary>
    public int RenameConcurrency { get; set; } = 8;

    /// <summary>Permission bits of a file without mode metadata. Default 0644.</summary>
    public int DefaultFileMode { get; set; } = 0b110_100_100;

    /// <summary>Permission bits of a directory without mode metadata. Default 0755.</summary>
    public int DefaultDirectoryMode { get; set; } = 0b111_101_101;

    /// <summary>Owner of entries without uid metadata; null (the default) is the mounting process's uid.</summary>
    public uint? DefaultUid { get; set; }

    /// <summary>Group of entries without gid metadata; null (the default) is the mounting process's gid.</summary>
    public uint? DefaultGid { get; set; }

    /// <summary>Timeouts, retries and the circuit breaker around every S3 call.</summary>
    public S3ResilienceOptions Resilience { get; set; } = new();

    /// <summary>The key prefix with exactly one trailing slash, or empty for the bucket root.</summary>
    public string NormalizedPrefix => S3Key.NormalizePrefix(Prefix);

    /// <summary>True when the data goes over plain http to a custom endpoint.</summary>
    public bool IsPlainHttpEndpoint => Endpoint is not null && Endpoint.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The chunk-encoding setting in force (see <see cref="UseChunkEncoding"/>).</summary>
    public bool EffectiveUseChunkEncoding => UseChunkEncoding ?? !IsPlainHttpEndpoint;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (Bucket.Length is < 3 or > 63) throw new ArgumentException($"bucket name must be 3 to 63 characters: '{Bucket}'", nameof(Bucket));
        if (Prefix.Length > 0)
        {
            try
            {
                VfsPath.Parse(Prefix);
            }
            catch (VfsException e)
            {
                throw new ArgumentException($"invalid prefix '{Prefix}': {e.Message}", nameof(Prefix));
            }
        }
        if (Endpoint is not null && !Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) | (uri is not null && uri.Scheme is not ("http" or "https")))
            throw new ArgumentException($"endpoint must be an http:// or https:// URL: '{Endpoint}'", nameof(Endpoint));
        Check(PartSize is >= MinPartSize and <= MaxPartSize, nameof(PartSize), "5 MiB to 5 GiB");
        Check(UploadConcurrency is >= 1 and <= 64, nameof(UploadConcurrency), "1 to 64");
        Check(MultipartCopyThreshold is >= MinPartSize and <= MaxPartSize, nameof(MultipartCopyThreshold), "5 MiB to 5 GiB");
        Check(PrefetchMaxWindow is >= 64 * 1024 and <= GiB, nameof(PrefetchMaxWindow), "64 KiB to 1 GiB");
        Check(PrefetchInitialWindow >= 64 * 1024 && PrefetchInitialWindow <= PrefetchMaxWindow, nameof(PrefetchInitialWindow), "64 KiB to PrefetchMaxWindow");
        Check(PrefetchMaxRequestSize is >= 64 * 1024 and <= 256 * MiB, nameof(PrefetchMaxRequestSize), "64 KiB to 256 MiB");
        Check(RandomReadahead is >= 0 and <= 8 * (int)MiB, nameof(RandomReadahead), "0 to 8 MiB");
        Check(ListingHeadConcurrency is >= 1 and <= 256, nameof(ListingHeadConcurrency), "1 to 256");
        Check(RenameConcurrency is >= 1 and <= 64, nameof(RenameConcurrency), "1 to 64");
        Check(DefaultFileMode is >= 0 and <= VfsAttributes.PermissionMask, nameof(DefaultFileMode), "0 to 07777");
        Check(DefaultDirectoryMode is >= 0 and <= VfsAttributes.PermissionMask, nameof(DefaultDirectoryMode), "0 to 07777");
        Resilience.Validate();
    }

    internal static void Check(bool ok, string name, string range)
    {
        if (!ok) throw new ArgumentOutOfRangeException(name, $"{name} must be {range}");
    }
}
