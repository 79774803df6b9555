using Vfs.Abstractions;
using Vfs.Abstractions.Memory;
using Vfs.Cache.Content;
using Vfs.Cache.Metadata;
using Vfs.Testing.Model;
using Xunit.Abstractions;

namespace Vfs.Cache.Tests.Metadata;

/// <summary>
/// Both caches as the mount stacks them (MetadataCacheVfs over ContentCacheVfs over MemoryVfs, write-back immediate
/// but driven by the cache itself), against the reference model: the metadata cache must keep right what the write-back
/// layer below reports (sizes of files still being written, renames of open files).
/// </summary>
public sealed class MetadataOverContentCacheModelTests(ITestOutputHelper output)
{
    private readonly List<string> _directories = [];

    private IVfs NewStack(MetadataCacheOptions options)
    {
        var directory = Path.Combine(Path.GetTempPath(), "meta-over-content-" + Guid.NewGuid().ToString("N"));
        lock (_directories) _directories.Add(directory);
        var content = new ContentCacheVfs(new MemoryVfs(), new ContentCacheOptions
        {
            CacheDirectory = directory,
            BlockSize = ContentCacheOptions.MinBlockSize,
            WriteBackDelay = TimeSpan.Zero,
            RunBackgroundLoops = false,
        });
        return new MetadataCacheVfs(content, options);
    }

    private ValueTask DeleteDirectories()
    {
        lock (_directories)
        {
            foreach (var directory in _directories)
                if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
            _directories.Clear();
        }
        return ValueTask.CompletedTask;
    }

    [Theory]
    [InlineData(10, 100_000)]
    [InlineData(10, 6)]
    public void Check_BothCachesOverMemory_AgreeWithModel(int ttlSeconds, int maxEntries)
    {
        var options = new MetadataCacheOptions { Ttl = TimeSpan.FromSeconds(ttlSeconds), MaxEntries = maxEntries, MaxListingEntries = maxEntries / 2 };
        var result = ModelHarness.Check(() => NewStack(options), VfsCapabilities.Posix,
            new HarnessOptions { MaxTest = 40, AfterRun = DeleteDirectories });
        output.WriteLine(result.Report);
    }
}
