using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Vfs.Abstractions;

namespace Vfs.Cache.Metadata;

/// <summary>
/// Caches attributes, negative entries and directory listings of the inner layer for a TTL, so the kernel's constant
/// lookups, getattrs and readdirs do not each become a store request.
/// </summary>
/// <remarks>
/// <para>Design. One <see cref="MetadataCacheNode"/> per path in a concurrent map; a node is
/// <see cref="EntryState.Unknown"/>, <see cref="EntryState.Present"/> (attributes) or <see cref="EntryState.Absent"/>
/// (a negative entry), and a directory's node may also hold its listing. A lookup answers from a fresh node; from a
/// fresh listing of the parent that lacks the name; otherwise it asks the inner layer once for all concurrent
/// callers (the node's pending lookup) and compares the answer with what the node held, reporting a change to the
/// <see cref="IVfsChangeListener"/>s. A listing fills the attributes of every entry it streams and, when it has at
/// most <see cref="MetadataCacheOptions.MaxListingEntries"/> names, is kept whole.</para>
/// <para>Invalidation. Every mutation made through this layer (create, write, truncate, flush, close, setattr,
/// mkdir, symlink, unlink, rmdir, rename) resets the nodes it touches when it returns, parent first: resetting an
/// entry resets the listing of its parent (which holds the entry's attributes too); a namespace change also resets
/// the parent directory itself (its mtime moved), hence the grandparent's listing. Resetting bumps the node's
/// generation, so an inner answer that was read before the mutation is dropped instead of stored. A fill from a
/// listing checks the directory's generation while holding the directory's gate, which is why parents are reset
/// before children (rename sorts the nodes of both subtrees by depth). A tally per directory of the nodes cached
/// below it lets a rename skip the scan of the whole cache when nothing is cached below either name. Creating or
/// unlinking a name changes every answer below it (absent below a missing name, ENOTDIR below a file), so it resets
/// what is cached below it the same way, lookups under way included: a lookup that read the old namespace is
/// neither stored nor joined by a caller that comes after the mutation.</para>
/// <para>A negative entry is served only while the parent is known to be a directory: creating a file <c>a</c>
/// resets <c>a</c> but not a cached "<c>a/x</c> is absent", which must then not answer ENOENT where the inner layer
/// says ENOTDIR.</para>
/// <para>Size. Entries (nodes plus names of kept listings) are counted; past
/// <see cref="MetadataCacheOptions.MaxEntries"/> one thread at a time turns the CLOCK hand (a ring of all nodes, a
/// second-chance bit set by each use after the first) down to 90%, never evicting a node with a lookup under way.
/// Names looked up once or filled by a listing have no bit, so a scan (find, one huge readdir) does not push out
/// what is in use.</para>
/// <para>Lock order: a directory node's <see cref="MetadataCacheNode.Gate"/> before its child's; an open file's path
/// lock (<see cref="MetadataCacheFile"/>) and the listeners lock are leaves. No lock is held across an await, an
/// inner call or a listener call; the map and the counters are lock-free.</para>
/// </remarks>
public sealed class MetadataCacheVfs : ForwardingVfs
{
    private readonly ConcurrentDictionary<VfsPath, MetadataCacheNode> _nodes = new();
    private readonly ConcurrentDictionary<MetadataCacheFile, byte> _openFiles = new();
    private readonly ConcurrentQueue<MetadataCacheNode> _clock = new(); // every node in the map, once: the clock's ring
    private readonly ConcurrentDictionary<VfsPath, int> _cachedBelow = new(); // directory -> nodes in the map below it
    private readonly MetadataCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly bool _enabled;
    private readonly long _ttlTicks;
    private readonly Lock _listenersLock = new();
    private IVfsChangeListener[] _listeners = [];
    private long _entries;
    private int _sweeping;

    private long _hits, _negativeHits, _misses, _revalidations, _coalesced, _listingHits, _listingMisses;
    private long _innerLookups, _innerListings, _changes, _listenerFailures, _evictions;

    public MetadataCacheVfs(IVfs inner, MetadataCacheOptions? options = null, TimeProvider? timeProvider = null)
        : base(inner)
    {
        _options = options ?? new MetadataCacheOptions();
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _enabled = _options.Ttl > TimeSpan.Zero;
        // TTL as a count of the TimeProvider's timestamp ticks, saturated for very long TTLs.
        double ticks = _options.Ttl.TotalSeconds * _time.TimestampFrequency;
        _ttlTicks = ticks >= long.MaxValue ? long.MaxValue : (long)ticks;
    }

    public MetadataCacheOptions Options => _options;

    /// <summary>Registers <paramref name="listener"/> for changes learned from the inner layer; dispose the result to stop.</summary>
    public IDisposable Subscribe(IVfsChangeListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        lock (_listenersLock) _listeners = [.. _listeners, listener];
        return new Subscription(this, listener);
    }

    public MetadataCacheStats GetStats() => new()
    {
        Hits = Volatile.Read(ref _hits),
        NegativeHits = Volatile.Read(ref _negativeHits),
        Misses = Volatile.Read(ref _misses),
        Revalidations = Volatile.Read(ref _revalidations),
        CoalescedLookups = Volatile.Read(ref _coalesced),
        ListingHits = Volatile.Read(ref _listingHits),
        ListingMisses = Volatile.Read(ref _listingMisses),
        InnerLookups = Volatile.Read(ref _innerLookups),
        InnerListings = Volatile.Read(ref _innerListings),
        ChangesDetected = Volatile.Read(ref _changes),
        ListenerFailures = Volatile.Read(ref _listenerFailures),
        Evictions = Volatile.Read(ref _evictions),
        Entries = Volatile.Read(ref _entries),
    };

    // ---- lookups ----

    public override async ValueTask<VfsAttributes?> TryGetAttrAsync(VfsPath path, CancellationToken cancellationToken)
    {
        if (!_enabled)
        {
            Interlocked.Increment(ref _innerLookups);
            return await Inner.TryGetAttrAsync(path, cancellationToken).ConfigureAwait(false);
        }
        cancellationToken.ThrowIfCancellationRequested();
        var parent = ReadParent(path);
        while (true)
        {
            var node = GetOrAddNode(path);
            var decision = DecideLookup(node, parent);
            switch (decision.Outcome)
            {
                case LookupOutcome.Retry:
                    continue;
                case LookupOutcome.Answered:
                    return decision.Answer;
                case LookupOutcome.Start:
                    // The inner call starts here, outside every lock, and runs to its end whoever waits for it: a
                    // cancelled caller stops waiting, the others still get the answer.
                    _ = RunLookupAsync(node, decision.Generation, decision.StartedAt, decision.Completion!);
                    break;
            }
            MaybeSweep();
            return await decision.Pending!.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private enum LookupOutcome { Answered, Join, Start, Retry }

    private readonly record struct LookupDecision(
        LookupOutcome Outcome,
        VfsAttributes? Answer = null,
        Task<VfsAttributes?>? Pending = null,
        TaskCompletionSource<VfsAttributes?>? Completion = null,
        long Generation = 0,
        long StartedAt = 0);

    private readonly record struct ParentView(bool IsDirectory, bool ListedAbsent);

    /// <summary>What the parent's node says of a child: is the parent known to be a directory, and does its fresh listing lack the name.</summary>
    private ParentView ReadParent(VfsPath path)
    {
        if (path.IsRoot) return new ParentView(true, false);
        var parentPath = path.Parent;
        if (!_nodes.TryGetValue(parentPath, out var parent)) return new ParentView(parentPath.IsRoot, false);
        lock (parent.Gate)
        {
            if (parent.Evicted) return new ParentView(parentPath.IsRoot, false);
            bool isDirectory = parentPath.IsRoot || (parent.State == EntryState.Present && parent.Attributes!.IsDirectory);
            bool listedAbsent = parent.Listing is { } listing && IsFresh(listing.FetchedAt) && !listing.Names.Contains(path.Name);
            return new ParentView(isDirectory, listedAbsent);
        }
    }

    private LookupDecision DecideLookup(MetadataCacheNode node, ParentView parent)
    {
        lock (node.Gate)
        {
            if (node.Evicted) return new LookupDecision(LookupOutcome.Retry);
            // A second use earns the clock's bit; a first one does not, so names looked up once (a scan) go first.
            if (node.State != EntryState.Unknown || node.PendingLookup is not null) node.Referenced = true;
            if (node.State == EntryState.Present && IsFresh(node.FetchedAt))
            {
                Interlocked.Increment(ref _hits);
                return new LookupDecision(LookupOutcome.Answered, node.Attributes);
            }
            if ((node.State == EntryState.Absent && parent.IsDirectory && IsFresh(node.FetchedAt)) || parent.ListedAbsent)
            {
                Interlocked.Increment(ref _negativeHits);
                return new LookupDecision(LookupOutcome.Answered);
            }
            if (node.PendingLookup is { } pending)
            {
                Interlocked.Increment(ref _coalesced);
                return new LookupDecision(LookupOutcome.Join, Pending: pending);
            }
            if (node.State != EntryState.Unknown && !IsFresh(node.FetchedAt)) Interlocked.Increment(ref _revalidations);
            else Interlocked.Increment(ref _misses);
            var completion = new TaskCompletionSource<VfsAttributes?>(TaskCreationOptions.RunContinuationsAsynchronously);
            node.PendingLookup = completion.Task;
            return new LookupDecision(LookupOutcome.Start, Pending: completion.Task, Completion: completion,
                Generation: node.Generation, StartedAt: _time.GetTimestamp());
        }
    }

    private async Task RunLookupAsync(MetadataCacheNode node, long generation, long startedAt, TaskCompletionSource<VfsAttributes?> completion)
    {
        VfsAttributes? answer;
        try
        {
            Interlocked.Increment(ref _innerLookups);
            answer = await Inner.TryGetAttrAsync(node.Path, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            // Errors (ENOTDIR, EIO...) are not cached: the next lookup asks again.
            lock (node.Gate)
            {
                if (node.PendingLookup == completion.Task) node.PendingLookup = null;
            }
            completion.SetException(error);
            return;
        }
        VfsChange? change;
        lock (node.Gate)
        {
            if (node.PendingLookup == completion.Task) node.PendingLookup = null;
            change = Store(node, generation, startedAt, answer);
        }
        // The parent's kept listing holds the old attributes (or lacks the new name): it is stale too.
        if (change is not null && !node.Path.IsRoot) ResetListing(node.Path.Parent);
        Report(change);
        completion.SetResult(answer);
    }

    /// <summary>Stores an inner answer into <paramref name="node"/> (its gate held) unless a mutation or newer knowledge came since.</summary>
    private VfsChange? Store(MetadataCacheNode node, long generation, long startedAt, VfsAttributes? answer)
    {
        if (node.Evicted || node.Generation != generation) return null;
        if (node.State != EntryState.Unknown && node.FetchedAt > startedAt) return null;
        var change = Compare(node, answer);
        node.State = answer is null ? EntryState.Absent : EntryState.Present;
        node.Attributes = answer;
        node.FetchedAt = startedAt;
        return change;
    }

    /// <summary>The change, if any, between what <paramref name="node"/> holds (its gate held) and <paramref name="answer"/>.</summary>
    private static VfsChange? Compare(MetadataCacheNode node, VfsAttributes? answer)
    {
        switch (node.State)
        {
            case EntryState.Absent when answer is not null:
                return new VfsChange(node.Path, VfsChangeKind.Created, null, answer);
            case EntryState.Present when answer is null || answer.Kind != node.Attributes!.Kind:
                return new VfsChange(node.Path, VfsChangeKind.Deleted, node.Attributes, answer);
            case EntryState.Present when IsNewVersion(node.Attributes!, answer):
                return new VfsChange(node.Path, VfsChangeKind.Modified, node.Attributes, answer);
            default:
                return null;
        }
    }

    /// <summary>Another version of the same entry: the ETag when both have one (and the size, to be safe), else size and mtime.</summary>
    private static bool IsNewVersion(VfsAttributes before, VfsAttributes after)
    {
        if (before.Size != after.Size) return true;
        if (before.ETag is not null && after.ETag is not null) return !string.Equals(before.ETag, after.ETag, StringComparison.Ordinal);
        return before.ModifiedTime != after.ModifiedTime;
    }

    // ---- listings ----

    public override IAsyncEnumerable<VfsEntry> ListAsync(VfsPath path, CancellationToken cancellationToken) =>
        _enabled ? ListThroughCacheAsync(path, cancellationToken) : ListUncachedAsync(path, cancellationToken);

    private IAsyncEnumerable<VfsEntry> ListUncachedAsync(VfsPath path, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _innerListings);
        return Inner.ListAsync(path, cancellationToken);
    }

    private async IAsyncEnumerable<VfsEntry> ListThroughCacheAsync(VfsPath path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        MetadataCacheNode directory;
        ListingStart start;
        do
        {
            directory = GetOrAddNode(path);
            start = BeginListing(directory);
        }
        while (start.Evicted);

        if (start.Cached is { } cached)
        {
            foreach (var entry in cached)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return entry;
            }
            yield break;
        }

        Interlocked.Increment(ref _innerListings);
        // Kept only while it stays within the limit; past it the listing streams through and is dropped.
        var kept = _options.MaxListingEntries > 0 ? new List<VfsEntry>() : null;
        bool filling = true;
        await foreach (var entry in Inner.ListAsync(path, cancellationToken).ConfigureAwait(false))
        {
            if (filling) filling = Fill(directory, start.Generation, start.StartedAt, entry);
            if (kept is not null)
            {
                if (kept.Count < _options.MaxListingEntries) kept.Add(entry);
                else kept = null;
            }
            yield return entry;
        }
        if (filling && kept is not null) Report(KeepListing(directory, start.Generation, start.StartedAt, kept));
        MaybeSweep();
    }

    private readonly record struct ListingStart(bool Evicted, VfsEntry[]? Cached, long Generation, long StartedAt);

    private ListingStart BeginListing(MetadataCacheNode directory)
    {
        lock (directory.Gate)
        {
            if (directory.Evicted) return new ListingStart(true, null, 0, 0);
            directory.Referenced = true;
            if (directory.Listing is { } listing && IsFresh(listing.FetchedAt))
            {
                Interlocked.Increment(ref _listingHits);
                return new ListingStart(false, listing.Entries, 0, 0);
            }
            Interlocked.Increment(ref _listingMisses);
            return new ListingStart(false, null, directory.Generation, _time.GetTimestamp());
        }
    }

    /// <summary>Stores one listed entry's attributes in its own node; false once the directory changed under the listing.</summary>
    private bool Fill(MetadataCacheNode directory, long generation, long startedAt, VfsEntry entry)
    {
        if (ChildPath(directory.Path, entry.Name) is not { } childPath) return true;
        var child = GetOrAddNode(childPath);
        VfsChange? change;
        lock (directory.Gate)
        {
            if (directory.Evicted || directory.Generation != generation) return false;
            directory.Referenced = true;
            lock (child.Gate)
            {
                if (child.Evicted) return true;
                change = Store(child, child.Generation, startedAt, entry.Attributes);
            }
        }
        Report(change);
        MaybeSweep();
        return true;
    }

    /// <summary>Keeps a complete listing; names the previous listing had and this one lacks are now absent.</summary>
    private List<VfsChange>? KeepListing(MetadataCacheNode directory, long generation, long startedAt, List<VfsEntry> entries)
    {
        List<VfsChange>? changes = null;
        lock (directory.Gate)
        {
            if (directory.Evicted || directory.Generation != generation) return null;
            var listing = new CachedListing([.. entries], startedAt);
            if (directory.Listing is { } previous)
            {
                foreach (var old in previous.Entries)
                {
                    if (listing.Names.Contains(old.Name) || ChildPath(directory.Path, old.Name) is not { } oldPath) continue;
                    var change = new VfsChange(oldPath, VfsChangeKind.Deleted, old.Attributes, null);
                    if (_nodes.TryGetValue(change.Path, out var child))
                    {
                        lock (child.Gate)
                        {
                            if (!child.Evicted && (child.State == EntryState.Unknown || child.FetchedAt <= startedAt))
                            {
                                if (child.State == EntryState.Present) change = change with { Before = child.Attributes };
                                child.State = EntryState.Absent;
                                child.Attributes = null;
                                child.FetchedAt = startedAt;
                            }
                        }
                    }
                    (changes ??= []).Add(change);
                }
            }
            SetListing(directory, listing);
        }
        return changes;
    }

    /// <summary>The path of a listed name, or null for a name no path can hold (the inner layer's problem; it is passed on, not cached).</summary>
    private static VfsPath? ChildPath(VfsPath directory, string name)
    {
        if (!VfsPath.IsValidName(name)) return null;
        try
        {
            return directory.Combine(name);
        }
        catch (VfsException)
        {
            return null; // ENAMETOOLONG: the whole path is past the limit
        }
    }

    /// <summary>Replaces a node's listing (its gate held), keeping the size accounting right.</summary>
    private void SetListing(MetadataCacheNode node, CachedListing? listing)
    {
        int cost = 1 + (listing?.Entries.Length ?? 0);
        Interlocked.Add(ref _entries, cost - node.Cost);
        node.Cost = cost;
        node.Listing = listing;
    }

    // ---- mutations: forwarded, then the nodes they touch are reset (parents first) ----

    public override async ValueTask<VfsAttributes> MkdirAsync(VfsPath path, VfsCreateOptions options, CancellationToken cancellationToken)
    {
        if (!_enabled) return await Inner.MkdirAsync(path, options, cancellationToken).ConfigureAwait(false);
        VfsAttributes? created = null;
        try
        {
            return created = await Inner.MkdirAsync(path, options, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            NamespaceChanged(path, created is null ? EntryState.Unknown : EntryState.Present, created, resetBelow: true);
        }
    }

    public override async ValueTask<VfsAttributes> SymlinkAsync(VfsPath path, string target, VfsCreateOptions options, CancellationToken cancellationToken)
    {
        if (!_enabled) return await Inner.SymlinkAsync(path, target, options, cancellationToken).ConfigureAwait(false);
        VfsAttributes? created = null;
        try
        {
            return created = await Inner.SymlinkAsync(path, target, options, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            NamespaceChanged(path, created is null ? EntryState.Unknown : EntryState.Present, created, resetBelow: true);
        }
    }

    public override async ValueTask RemoveAsync(VfsPath path, CancellationToken cancellationToken)
    {
        if (!_enabled)
        {
            await Inner.RemoveAsync(path, cancellationToken).ConfigureAwait(false);
            return;
        }
        bool removed = false;
        try
        {
            await Inner.RemoveAsync(path, cancellationToken).ConfigureAwait(false);
            removed = true;
        }
        finally
        {
            NamespaceChanged(path, removed ? EntryState.Absent : EntryState.Unknown, null, resetBelow: true);
        }
    }

    public override async ValueTask RmdirAsync(VfsPath path, CancellationToken cancellationToken)
    {
        if (!_enabled)
        {
            await Inner.RmdirAsync(path, cancellationToken).ConfigureAwait(false);
            return;
        }
        bool removed = false;
        try
        {
            await Inner.RmdirAsync(path, cancellationToken).ConfigureAwait(false);
            removed = true;
        }
        finally
        {
            // An empty directory's descendants were absent before and are absent after: nothing below needs a reset.
            NamespaceChanged(path, removed ? EntryState.Absent : EntryState.Unknown, null, resetBelow: false);
        }
    }

    public override async ValueTask RenameAsync(VfsPath from, VfsPath to, VfsRenameFlags flags, CancellationToken cancellationToken)
    {
        if (!_enabled)
        {
            await Inner.RenameAsync(from, to, flags, cancellationToken).ConfigureAwait(false);
            return;
        }
        bool renamed = false;
        try
        {
            await Inner.RenameAsync(from, to, flags, cancellationToken).ConfigureAwait(false);
            renamed = true;
        }
        finally
        {
            // Open handles first, so a write that ends after this point resets the new name. A failed rename moved
            // nothing (or, for a non-atomic directory rename, an unknown part): the handles keep their names.
            if (renamed)
            {
                foreach (var file in _openFiles.Keys) file.Renamed(from, to, flags);
            }
            ResetEntry(from.Parent);
            ResetEntry(to.Parent);
            ResetSubtrees(from, to);
        }
    }

    public override async ValueTask<VfsAttributes> SetAttrAsync(VfsPath path, VfsAttributeChanges changes, CancellationToken cancellationToken)
    {
        if (!_enabled) return await Inner.SetAttrAsync(path, changes, cancellationToken).ConfigureAwait(false);
        VfsAttributes? updated = null;
        try
        {
            return updated = await Inner.SetAttrAsync(path, changes, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ResetEntry(path, updated is null ? EntryState.Unknown : EntryState.Present, updated);
        }
    }

    public override async ValueTask<IVfsFile> OpenAsync(VfsPath path, VfsOpenFlags flags, VfsCreateOptions options, CancellationToken cancellationToken)
    {
        if (!_enabled) return await Inner.OpenAsync(path, flags, options, cancellationToken).ConfigureAwait(false);
        IVfsFile file;
        try
        {
            file = await Inner.OpenAsync(path, flags, options, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if ((flags & (VfsOpenFlags.Create | VfsOpenFlags.Truncate)) != 0) NamespaceChanged(path, EntryState.Unknown, null, resetBelow: true);
        }
        if ((flags & VfsOpenFlags.Write) == 0) return file;
        var tracked = new MetadataCacheFile(this, file, path);
        _openFiles.TryAdd(tracked, 0);
        return tracked;
    }

    /// <summary>Called by an open file after each write, truncate, flush, fsync and its close: size and mtime may have moved.</summary>
    internal void ContentChanged(VfsPath path) => ResetEntry(path);

    internal void Closed(MetadataCacheFile file) => _openFiles.TryRemove(file, out _);

    /// <summary>
    /// An entry was added, removed or replaced: the parent directory changed too (mtime, listing). With
    /// <paramref name="resetBelow"/>, so did every answer below the name (absent below a missing name, ENOTDIR below a
    /// file): whatever is cached or being looked up there read the old namespace and is reset too.
    /// </summary>
    private void NamespaceChanged(VfsPath path, EntryState known, VfsAttributes? attributes, bool resetBelow)
    {
        if (!path.IsRoot) ResetEntry(path.Parent);
        ResetEntry(path, known, attributes);
        if (resetBelow && HasCachedBelow(path)) ResetAll(NodesAtOrBelow(path, path, includeTops: false));
    }

    /// <summary>
    /// Forgets what the cache knows of <paramref name="path"/>, or replaces it with what the mutation itself returned
    /// (<paramref name="known"/>). The parent's listing, which holds the entry's attributes too, is reset first.
    /// </summary>
    private void ResetEntry(VfsPath path, EntryState known = EntryState.Unknown, VfsAttributes? attributes = null)
    {
        if (!path.IsRoot) ResetListing(path.Parent);
        var node = known == EntryState.Unknown ? _nodes.GetValueOrDefault(path) : GetOrAddNode(path);
        if (node is null) return;
        lock (node.Gate)
        {
            if (node.Evicted) return;
            ResetLocked(node, listingOnly: false);
            if (known == EntryState.Unknown) return;
            node.State = known;
            node.Attributes = attributes;
            node.FetchedAt = _time.GetTimestamp();
        }
    }

    /// <summary>Forgets a directory's listing (one of its entries changed), keeping its own attributes.</summary>
    private void ResetListing(VfsPath path)
    {
        if (!_nodes.TryGetValue(path, out var node)) return;
        lock (node.Gate)
        {
            if (!node.Evicted) ResetLocked(node, listingOnly: true);
        }
    }

    private void ResetLocked(MetadataCacheNode node, bool listingOnly)
    {
        node.Generation++;
        node.PendingLookup = null;
        SetListing(node, null);
        if (listingOnly) return;
        node.State = EntryState.Unknown;
        node.Attributes = null;
    }

    /// <summary>
    /// Resets both names and, when anything below them is cached, every node at or below either, shallowest first
    /// (see the class remarks). A file's rename costs two resets; a directory's a scan of the cache.
    /// </summary>
    private void ResetSubtrees(VfsPath first, VfsPath second)
    {
        if (!HasCachedBelow(first) && !HasCachedBelow(second))
        {
            ResetEntry(first);
            ResetEntry(second);
            return;
        }
        ResetAll(NodesAtOrBelow(first, second, includeTops: true));
    }

    /// <summary>The nodes below either top (and the tops themselves with <paramref name="includeTops"/>): one scan of the cache.</summary>
    private List<MetadataCacheNode> NodesAtOrBelow(VfsPath first, VfsPath second, bool includeTops)
    {
        var affected = new List<MetadataCacheNode>();
        foreach (var (path, node) in _nodes)
        {
            if (!includeTops && (path == first || path == second)) continue;
            if (IsAtOrBelow(path, first) || IsAtOrBelow(path, second)) affected.Add(node);
        }
        return affected;
    }

    /// <summary>Resets <paramref name="affected"/> shallowest first (see the class remarks).</summary>
    private void ResetAll(List<MetadataCacheNode> affected)
    {
        affected.Sort((a, b) => a.Path.Depth.CompareTo(b.Path.Depth));
        foreach (var node in affected)
        {
            lock (node.Gate)
            {
                if (!node.Evicted) ResetLocked(node, listingOnly: false);
            }
        }
    }

    /// <summary><see cref="VfsPath.IsSameOrDescendantOf"/> without allocating: the scan runs over the whole cache.</summary>
    private static bool IsAtOrBelow(VfsPath path, VfsPath top)
    {
        if (top.IsRoot) return true;
        string value = path.Value, prefix = top.Value;
        return value.StartsWith(prefix, StringComparison.Ordinal) && (value.Length == prefix.Length || value[prefix.Length] == '/');
    }

    private bool HasCachedBelow(VfsPath path) => _cachedBelow.TryGetValue(path, out int count) && count > 0;

    /// <summary>
    /// Counts a node in every ancestor's tally. It runs before the node enters the map, hence before any inner call
    /// for it starts, so a rename or creation that returns after such a call started sees the tally and scans.
    /// </summary>
    private void CountBelowAncestors(VfsPath path)
    {
        for (var ancestor = path; !ancestor.IsRoot;)
        {
            ancestor = ancestor.Parent;
            _cachedBelow.AddOrUpdate(ancestor, 1, static (_, count) => count + 1);
        }
    }

    private void UncountBelowAncestors(VfsPath path)
    {
        for (var ancestor = path; !ancestor.IsRoot;)
        {
            ancestor = ancestor.Parent;
            if (_cachedBelow.AddOrUpdate(ancestor, 0, static (_, count) => count - 1) == 0)
                _cachedBelow.TryRemove(KeyValuePair.Create(ancestor, 0));
        }
    }

    // ---- nodes, freshness, size ----

    private bool IsFresh(long fetchedAt)
    {
        long age = _time.GetTimestamp() - fetchedAt;
        return age < _ttlTicks;
    }

    private MetadataCacheNode GetOrAddNode(VfsPath path)
    {
        while (true)
        {
            if (_nodes.TryGetValue(path, out var existing)) return existing;
            var node = new MetadataCacheNode(path);
            // Counted before it enters the map: another thread may find it there and start a lookup at once, and a
            // mutation that returns after that lookup started must see the tally (an over-count only costs a scan).
            CountBelowAncestors(path);
            if (_nodes.TryAdd(path, node))
            {
                Interlocked.Increment(ref _entries);
                _clock.Enqueue(node);
                return node;
            }
            UncountBelowAncestors(path);
        }
    }

    /// <summary>
    /// Evicts down to 90% of the limit when over it; one sweeper at a time, the others go on. CLOCK: the hand takes
    /// the oldest node of the ring; one used since the hand last passed (or with a lookup under way) loses its bit
    /// and goes round again, any other is evicted.
    /// </summary>
    private void MaybeSweep()
    {
        if (Volatile.Read(ref _entries) <= _options.MaxEntries) return;
        if (Interlocked.CompareExchange(ref _sweeping, 1, 0) != 0) return;
        try
        {
            long target = _options.MaxEntries - _options.MaxEntries / 10;
            // Two turns of the ring evict everything evictable; the bound only guards against lookups pinning all.
            long steps = 2L * _clock.Count + 1;
            while (Volatile.Read(ref _entries) > target && steps-- > 0 && _clock.TryDequeue(out var node))
            {
                if (!TryEvict(node)) _clock.Enqueue(node);
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    /// <summary>Evicts <paramref name="node"/> unless it earned a second chance; false when it stays.</summary>
    private bool TryEvict(MetadataCacheNode node)
    {
        int cost;
        lock (node.Gate)
        {
            if (node.PendingLookup is not null || node.Referenced)
            {
                node.Referenced = false;
                return false;
            }
            node.Evicted = true;
            node.Generation++;
            cost = node.Cost;
        }
        if (_nodes.TryRemove(KeyValuePair.Create(node.Path, node))) UncountBelowAncestors(node.Path);
        Interlocked.Add(ref _entries, -cost);
        Interlocked.Increment(ref _evictions);
        return true;
    }

    // ---- change reports ----

    private void Report(VfsChange? change)
    {
        if (change is not { } value) return;
        Interlocked.Increment(ref _changes);
        foreach (var listener in Volatile.Read(ref _listeners))
        {
            try
            {
                listener.OnEntryChanged(value);
            }
            catch (Exception)
            {
                // A listener's bug must not fail the lookup that found the change; it is counted for `vfs cache stats`.
                Interlocked.Increment(ref _listenerFailures);
            }
        }
    }

    private void Report(List<VfsChange>? changes)
    {
        if (changes is null) return;
        foreach (var change in changes) Report(change);
    }

    private void Unsubscribe(IVfsChangeListener listener)
    {
        lock (_listenersLock)
        {
            int index = Array.IndexOf(_listeners, listener);
            if (index >= 0) _listeners = [.. _listeners[..index], .. _listeners[(index + 1)..]];
        }
    }

    private sealed class Subscription(MetadataCacheVfs owner, IVfsChangeListener listener) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Unsubscribe(listener);
        }
    }
}
