using Vfs.Abstractions;
using Vfs.Abstractions.Memory;
using Vfs.Cache.Content;

namespace Vfs.Cache.Tests.Content;

/// <summary>
/// A cache directory under the temp dir plus a store below the cache, for one test: opens (and reopens, as after a
/// crash) <see cref="ContentCacheVfs"/> instances over the same directory and store; deletes the directory at the end.
/// The background loops are off: tests drive the uploader and evictor by hand with a controllable clock.
/// </summary>
internal sealed class CacheFixture : IAsyncDisposable
{
    public CacheFixture(IVfs? store = null, int blockSize = ContentCacheOptions.MinBlockSize)
    {
        Directory = Path.Combine(Path.GetTempPath(), "contentcache-" + Guid.NewGuid().ToString("N"));
        Store = store ?? new MemoryVfs();
        BlockSize = blockSize;
    }

    public string Directory { get; }

    /// <summary>The store below the cache; it outlives every cache instance (as S3 outlives a mount).</summary>
    public IVfs Store { get; }

    public int BlockSize { get; }

    public ManualClock Clock { get; } = new();

    public List<string> Warnings { get; } = [];

    public ContentCacheOptions Options(Action<ContentCacheOptions>? configure = null)
    {
        var options = new ContentCacheOptions
        {
            CacheDirectory = Directory,
            BlockSize = BlockSize,
            WriteBackDelay = TimeSpan.FromSeconds(5),
            RunBackgroundLoops = false,
            Warning = w => { lock (Warnings) Warnings.Add(w); },
        };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>A cache over <see cref="Store"/> that does not own it: disposing the cache leaves the store alone.</summary>
    public ContentCacheVfs Open(Action<ContentCacheOptions>? configure = null, Func<string, ISpillStorage>? spill = null) =>
        new(new NonOwningVfs(Store), Options(configure), Clock, spill);

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>Forwards everything but disposal, so a cache's dispose does not dispose the shared store.</summary>
    private sealed class NonOwningVfs(IVfs inner) : ForwardingVfs(inner)
    {
        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>A clock that moves only when a test says so.</summary>
internal sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
