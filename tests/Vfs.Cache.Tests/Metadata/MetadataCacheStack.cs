using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Vfs.Abstractions;
using Vfs.Abstractions.Memory;
using Vfs.Cache.Metadata;
using Vfs.Testing.Fakes;

namespace Vfs.Cache.Tests.Metadata;

/// <summary>
/// MetadataCacheVfs over a counting MemoryVfs, on one fake clock. <see cref="Store"/> is the bucket as another writer
/// sees it (changes made there are out of band); <see cref="Cache"/> is what the mount sees.
/// </summary>
internal sealed class MetadataCacheStack : IAsyncDisposable, IVfsChangeListener
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);

    /// <param name="options">The cache's options; default: a TTL of <see cref="Ttl"/>.</param>
    /// <param name="wrapInner">A decorator put between the counting store and the cache.</param>
    public MetadataCacheStack(MetadataCacheOptions? options = null, Func<IVfs, IVfs>? wrapInner = null)
    {
        Store = new MemoryVfs(Time);
        Counting = new CountingVfs(Store);
        var inner = wrapInner?.Invoke(Counting) ?? Counting;
        Cache = new MetadataCacheVfs(inner, options ?? new MetadataCacheOptions { Ttl = Ttl }, Time);
        Cache.Subscribe(this);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public MemoryVfs Store { get; }

    public CountingVfs Counting { get; }

    public MetadataCacheVfs Cache { get; }

    public ConcurrentQueue<VfsChange> Changes { get; } = new();

    public void OnEntryChanged(VfsChange change) => Changes.Enqueue(change);

    public long InnerLookups => Counting.Count(VfsOperation.GetAttr);

    public long InnerListings => Counting.Count(VfsOperation.List);

    public static VfsPath P(string path) => VfsPath.Parse(path);

    /// <summary>Moves the clock past the TTL (and a second, so mtimes written afterwards differ).</summary>
    public void Expire() => Time.Advance(Ttl + TimeSpan.FromSeconds(1));

    public ValueTask<VfsAttributes?> Lookup(string path) => Cache.TryGetAttrAsync(P(path), CancellationToken.None);

    public async Task<List<VfsEntry>> List(IVfs vfs, string path)
    {
        var entries = new List<VfsEntry>();
        await foreach (var entry in vfs.ListAsync(P(path), CancellationToken.None)) entries.Add(entry);
        return entries;
    }

    public Task<List<VfsEntry>> List(string path) => List(Cache, path);

    public async Task WriteFile(IVfs vfs, string path, string content) =>
        await vfs.WriteAllBytesAsync(P(path), System.Text.Encoding.UTF8.GetBytes(content));

    /// <summary>Asserts that the cache answers exactly what the store holds for each path (attributes or absence, and listings of directories).</summary>
    public async Task AssertMatchesStore(params string[] paths)
    {
        foreach (var path in paths)
        {
            var truth = await Outcome(Store, path);
            var cached = await Outcome(Cache, path);
            Assert.True(truth == cached, $"/{path}: store has {truth}, cache answered {cached}");
            if (truth.Attributes is { IsDirectory: true })
            {
                var storeListing = await List(Store, path);
                var cacheListing = await List(Cache, path);
                Assert.Equal(storeListing, cacheListing);
            }
        }
    }

    /// <summary>A lookup's result: the attributes, or absence (both null), or the errno it failed with.</summary>
    public readonly record struct LookupOutcome(VfsAttributes? Attributes, Errno? Error);

    public static async Task<LookupOutcome> Outcome(IVfs vfs, string path)
    {
        try
        {
            return new LookupOutcome(await vfs.TryGetAttrAsync(P(path), CancellationToken.None), null);
        }
        catch (VfsException error)
        {
            return new LookupOutcome(null, error.Errno);
        }
    }

    public ValueTask DisposeAsync() => Cache.DisposeAsync();
}
