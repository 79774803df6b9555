namespace Vfs.Cache.Metadata;

/// <summary>
/// Settings of <see cref="MetadataCacheVfs"/>, each with a documented default; <see cref="Validate"/> runs in the
/// constructor so a bad value fails at start-up, not on the first lookup.
/// </summary>
public sealed class MetadataCacheOptions
{
    /// <summary>The default <see cref="Ttl"/>: 10 seconds (why: docs/METADATA_CACHE.md).</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromSeconds(10);

    public const int DefaultMaxEntries = 100_000;

    public const int DefaultMaxListingEntries = 25_000;

    /// <summary>
    /// How long attributes, negative entries and listings are served without asking the inner layer. The mount's
    /// own changes are seen at once whatever the TTL; other writers' changes within the TTL. After it an entry is
    /// revalidated (a fresh lookup, ETag compared), not dropped. <see cref="TimeSpan.Zero"/>: every call goes to the
    /// inner layer (the cache is a pass-through). The FUSE adapter gives the kernel entry/attr timeouts no longer
    /// than this. Default 10 s.
    /// </summary>
    public TimeSpan Ttl { get; init; } = DefaultTtl;

    /// <summary>
    /// Upper bound of the cache's size, counted in entries: one per path known (present or absent) plus one per
    /// name held in a cached listing. Past it the least recently used entries are evicted (clock). Default 100,000
    /// (about 40 MB; s3fs-fuse's stat cache has the same default).
    /// </summary>
    public int MaxEntries { get; init; } = DefaultMaxEntries;

    /// <summary>
    /// A directory listing with more names than this is streamed through and not cached (its entries' attributes
    /// still are, one by one), so a huge directory is never held in memory whole. At most half of
    /// <see cref="MaxEntries"/>, since a cached listing also fills one attribute entry per name. Default 25,000.
    /// </summary>
    public int MaxListingEntries { get; init; } = DefaultMaxListingEntries;

    /// <exception cref="ArgumentOutOfRangeException">A value outside its documented range.</exception>
    public void Validate()
    {
        if (Ttl < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(Ttl), Ttl, "metadata TTL must be zero or positive");
        if (MaxEntries < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxEntries), MaxEntries, "metadata cache size must be at least 1 entry");
        if (MaxListingEntries < 0 || MaxListingEntries > MaxEntries / 2)
            throw new ArgumentOutOfRangeException(nameof(MaxListingEntries), MaxListingEntries,
                $"cached listing size must be between 0 and half the cache size ({MaxEntries / 2})");
    }
}
