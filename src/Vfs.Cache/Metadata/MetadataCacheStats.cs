namespace Vfs.Cache.Metadata;

/// <summary>
/// A snapshot of <see cref="MetadataCacheVfs"/>'s counters (for tests and <c>vfs cache stats</c>). Every lookup
/// (TryGetAttrAsync) counts exactly one of <see cref="Hits"/>, <see cref="NegativeHits"/>, <see cref="Misses"/>,
/// <see cref="Revalidations"/> or <see cref="CoalescedLookups"/>; every listing one of <see cref="ListingHits"/> or
/// <see cref="ListingMisses"/>.
/// </summary>
public readonly record struct MetadataCacheStats
{
    /// <summary>Lookups answered with attributes from the cache.</summary>
    public long Hits { get; init; }

    /// <summary>Lookups answered "does not exist" from the cache (a negative entry or a complete listing).</summary>
    public long NegativeHits { get; init; }

    /// <summary>Lookups of a name the cache knew nothing about; each asked the inner layer.</summary>
    public long Misses { get; init; }

    /// <summary>Lookups of an expired entry; each asked the inner layer and compared the answer.</summary>
    public long Revalidations { get; init; }

    /// <summary>Lookups that joined an inner lookup of the same path already under way.</summary>
    public long CoalescedLookups { get; init; }

    public long ListingHits { get; init; }

    public long ListingMisses { get; init; }

    /// <summary>Calls made to the inner layer's TryGetAttrAsync.</summary>
    public long InnerLookups { get; init; }

    /// <summary>Calls made to the inner layer's ListAsync.</summary>
    public long InnerListings { get; init; }

    /// <summary>Changes learned from the inner layer and reported to listeners.</summary>
    public long ChangesDetected { get; init; }

    public long ListenerFailures { get; init; }

    public long Evictions { get; init; }

    /// <summary>Entries held now (paths plus names of cached listings), at most the configured maximum after eviction.</summary>
    public long Entries { get; init; }

    public long InnerCalls => InnerLookups + InnerListings;
}
