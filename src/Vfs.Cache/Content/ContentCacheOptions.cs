using Vfs.Abstractions;

namespace Vfs.Cache.Content;

/// <summary>
/// Settings of <see cref="ContentCacheVfs"/>, each with a documented default; <see cref="Validate"/> runs at
/// start-up and rejects a bad value with one clear EINVAL message.
/// </summary>
public sealed class ContentCacheOptions
{
    public const int DefaultBlockSize = 1 << 20;
    public const int MinBlockSize = 64 << 10;
    public const int MaxBlockSize = 64 << 20;
    public const long DefaultCacheSizeBytes = 10L << 30;

    /// <summary>The cache directory (<c>--cache-dir</c>); created mode 0700 and locked. Required.</summary>
    /// <remarks>The CLI's default is <see cref="DefaultCacheRoot"/> plus a mount id.</remarks>
    public string CacheDirectory { get; set; } = string.Empty;

    /// <summary>
    /// Granularity of fetches from the layer below and of presence tracking. Default 1 MiB: one ranged GET of
    /// 1 MiB costs about the same latency as one of 64 KiB on S3-like stores, while 8 MiB blocks make a small
    /// random read fetch (and cache) eight times the data. A power of two from 64 KiB to 64 MiB.
    /// Each object keeps the block size it was cached with, so changing it never invalidates a cache.
    /// </summary>
    public int BlockSize { get; set; } = DefaultBlockSize;

    /// <summary>
    /// Cached bytes (<c>--cache-size</c>) above which clean, unopened objects are evicted, least recently used
    /// first. Default 10 GiB. Dirty data is never evicted, so dirty bytes alone may exceed it.
    /// </summary>
    public long CacheSizeBytes { get; set; } = DefaultCacheSizeBytes;

    /// <summary>
    /// <c>--write-back-delay</c>: how long an object must stay quiet after its last flush/close before it is
    /// uploaded. Default 5 s: an editor's save, a build's rewrite, or a loop of open-append-close then costs one
    /// upload, not one per close; the data is safe on local disk meanwhile. 0 uploads at close.
    /// </summary>
    public TimeSpan WriteBackDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Objects uploaded at once by the background uploader. Default 4; 1 to 64.</summary>
    public int UploadConcurrency { get; set; } = 4;

    /// <summary>First wait before retrying a failed upload; doubles per failure up to <see cref="MaxUploadRetryDelay"/>. Default 1 s.</summary>
    public TimeSpan UploadRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between retries of a failed upload. Default 5 min.</summary>
    public TimeSpan MaxUploadRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How often access times, counters and fetched-block presence are written to the index in one batch
    /// (never one SQLite write per read). Default 5 s; losing them in a crash only costs a refetch.
    /// </summary>
    public TimeSpan IndexFlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts per object when draining at dispose before it is left dirty for the next start. Default 3.</summary>
    public int DrainAttempts { get; set; } = 3;

    /// <summary>Run the uploader, evictor and index-flush loops in the background. Tests set false and drive them by hand.</summary>
    public bool RunBackgroundLoops { get; set; } = true;

    /// <summary>Lets tests use blocks of a few bytes, so that the model harness's short files span many blocks.</summary>
    internal bool AllowTinyBlocksForTests { get; set; }

    /// <summary>Progress of the drain at dispose (unmount shows it).</summary>
    public IProgress<ContentCacheDrainProgress>? DrainProgress { get; set; }

    /// <summary>Where warnings go (a failed upload, a skipped object); none by default.</summary>
    public Action<string>? Warning { get; set; }

    /// <summary><c>$XDG_CACHE_HOME/layeredvfs</c>, or <c>~/.cache/layeredvfs</c> when it is unset.</summary>
    public static string DefaultCacheRoot()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "layeredvfs");
    }

    /// <summary>Throws EINVAL naming the first bad setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(CacheDirectory)) throw Bad("cache directory is not set");
        int min = AllowTinyBlocksForTests ? 1 : MinBlockSize;
        if (BlockSize < min || BlockSize > MaxBlockSize || (BlockSize & (BlockSize - 1)) != 0)
            throw Bad($"block size {BlockSize} must be a power of two from {MinBlockSize} to {MaxBlockSize}");
        if (CacheSizeBytes < BlockSize) throw Bad($"cache size {CacheSizeBytes} is smaller than one block ({BlockSize})");
        if (WriteBackDelay < TimeSpan.Zero || WriteBackDelay > TimeSpan.FromHours(1))
            throw Bad($"write-back delay {WriteBackDelay} must be from 0 to 1 hour");
        if (UploadConcurrency is < 1 or > 64) throw Bad($"upload concurrency {UploadConcurrency} must be from 1 to 64");
        if (UploadRetryDelay <= TimeSpan.Zero || MaxUploadRetryDelay < UploadRetryDelay)
            throw Bad("upload retry delays must be positive, the maximum not below the first");
        if (IndexFlushInterval <= TimeSpan.Zero || IndexFlushInterval > TimeSpan.FromMinutes(10))
            throw Bad($"index flush interval {IndexFlushInterval} must be above 0 and at most 10 minutes");
        if (DrainAttempts is < 1 or > 100) throw Bad($"drain attempts {DrainAttempts} must be from 1 to 100");
    }

    private static VfsException Bad(string message) => VfsException.Invalid("content cache: " + message);
}

/// <summary>How far the drain at dispose has got.</summary>
public readonly record struct ContentCacheDrainProgress(int ObjectsDone, int ObjectsTotal, long BytesDone, long BytesTotal, int ObjectsFailed);
