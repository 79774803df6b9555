using Vfs.Abstractions;
using Vfs.Abstractions.Memory;
using Vfs.Cache.Content;
using Vfs.Testing.Contract;

namespace Vfs.Cache.Tests.Content;

/// <summary>
/// The whole contract through <see cref="ContentCacheVfs"/> over <see cref="MemoryVfs"/>, with small blocks so that
/// multi-block paths run; each store is drained and its cache directory deleted at the end.
/// </summary>
public sealed class ContentCacheVfsContractTests : VfsContractTests
{
    private readonly Dictionary<IVfs, string> _directories = [];

    protected override IVfs CreateVfs()
    {
        var directory = Path.Combine(Path.GetTempPath(), "contentcache-contract-" + Guid.NewGuid().ToString("N"));
        var cache = new ContentCacheVfs(new MemoryVfs(), new ContentCacheOptions
        {
            CacheDirectory = directory,
            BlockSize = ContentCacheOptions.MinBlockSize,
            WriteBackDelay = TimeSpan.Zero,
            RunBackgroundLoops = false,
        });
        lock (_directories) _directories[cache] = directory;
        return cache;
    }

    protected override async ValueTask DestroyVfsAsync(IVfs vfs)
    {
        await vfs.DisposeAsync();
        string directory;
        lock (_directories) directory = _directories[vfs];
        Directory.Delete(directory, recursive: true);
    }
}
