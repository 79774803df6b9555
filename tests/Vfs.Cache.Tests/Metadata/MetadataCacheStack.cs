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

    public MetadataCacheStack(MetadataCacheOptions? options = null)
    {
        Store = new MemoryVfs(Time);
        Counting = new CountingVfs(Store);
        Cache = new MetadataCacheVfs(Counting, options ?? new MetadataCacheOptions { Ttl = Ttl }, Time);
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
            var truth = await Store.TryGetAttrAsync(P(path), CancellationToken.None);
            var cached = await Cache.TryGetAttrAsync(P(path), CancellationToken.None);
            Assert.True(truth == cached, $"/{path}: store has {Describe(truth)}, cache answered {Describe(cached)}");
            if (truth is { IsDirectory: true })
            {
                var storeListing = await List(Store, path);
                var cacheListing = await List(Cache, path);
                Assert.Equal(storeListing, cacheListing);
            }
        }
    }

    private static string Describe(VfsAttributes? attributes) =>
        attributes is null ? "nothing" : $"{attributes.Kind} size {attributes.Size} mtime {attributes.ModifiedTime:O} etag {attributes.ETag}";

    public ValueTask DisposeAsync() => Cache.DisposeAsync();
}
