namespace Vfs.Cache.Content;

/// <summary>Where a cached object version stands relative to the store (persisted in the index as its number).</summary>
internal enum CachedObjectState
{
    /// <summary>The spill file holds (part of) exactly what the store has; evictable when unopened.</summary>
    Clean = 0,

    /// <summary>Local changes not yet in the store; queued for upload; never evicted.</summary>
    Dirty = 1,

    /// <summary>An upload is in progress; a restart treats it as <see cref="Dirty"/>.</summary>
    Uploading = 2,

    /// <summary>
    /// No longer reachable by path (unlinked, or replaced by a rename or by a newer store version) but still open:
    /// its data lives for its handles only, is never uploaded, and is deleted at last close (or at the next start).
    /// </summary>
    Detached = 3,
}
