using Vfs.Abstractions;

namespace Vfs.Cache.Metadata;

/// <summary>What the cache knows of a path's existence.</summary>
internal enum EntryState
{
    /// <summary>Nothing (never asked, or invalidated by a mutation of this mount): the next lookup asks the inner layer.</summary>
    Unknown,

    /// <summary>The entry exists with <see cref="MetadataCacheNode.Attributes"/>, as of <see cref="MetadataCacheNode.FetchedAt"/>.</summary>
    Present,

    /// <summary>The name does not exist (a negative entry), as of <see cref="MetadataCacheNode.FetchedAt"/>.</summary>
    Absent,
}

/// <summary>A directory's listing as the inner layer gave it, in its order, with a name set for negative lookups.</summary>
internal sealed class CachedListing(VfsEntry[] entries, long fetchedAt)
{
    public VfsEntry[] Entries { get; } = entries;

    public HashSet<string> Names { get; } = entries.Select(entry => entry.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>TimeProvider timestamp of the moment the inner listing started.</summary>
    public long FetchedAt { get; } = fetchedAt;
}

/// <summary>
/// The cache's state for one path. Every field but <see cref="Path"/>, <see cref="Gate"/> and
/// <see cref="Referenced"/> is guarded by <see cref="Gate"/>, which is held only for a few assignments, never across an
/// await or a call into another component.
/// </summary>
internal sealed class MetadataCacheNode(VfsPath path)
{
    public VfsPath Path { get; } = path;

    public Lock Gate { get; } = new();

    public EntryState State;

    /// <summary>Set when <see cref="State"/> is <see cref="EntryState.Present"/>.</summary>
    public VfsAttributes? Attributes;

    /// <summary>TimeProvider timestamp of the moment the inner call that produced <see cref="State"/> started.</summary>
    public long FetchedAt;

    /// <summary>The directory's listing when it was small enough to keep; served while fresh.</summary>
    public CachedListing? Listing;

    /// <summary>
    /// Bumped by every invalidation and by eviction. An inner call remembers the value it started under and stores
    /// its answer only if it is unchanged, so an answer read before a mutation never lands after it.
    /// </summary>
    public long Generation;

    /// <summary>The inner lookup under way for this path, which concurrent lookups join.</summary>
    public Task<VfsAttributes?>? PendingLookup;

    /// <summary>Removed from the cache's map; holders of a reference look the path up again.</summary>
    public bool Evicted;

    /// <summary>Entries this node counts against the size limit: itself plus its listing's names.</summary>
    public int Cost = 1;

    /// <summary>The clock's second-chance bit: set by each use of the path after the first, cleared by the sweeping hand.</summary>
    public volatile bool Referenced;
}
