using Vfs.Abstractions;
using Vfs.Abstractions.Memory;
using Vfs.Cache.Metadata;
using Vfs.Testing.Contract;

namespace Vfs.Cache.Tests.Metadata;

/// <summary>The contract suite through the metadata cache (default TTL, real clock) over MemoryVfs: caching must never change an answer the mount's own operations can observe.</summary>
public sealed class MetadataCacheVfsContractTests : VfsContractTests
{
    protected override IVfs CreateVfs() => new MetadataCacheVfs(new MemoryVfs());
}

/// <summary>The same with a tiny cache, so eviction runs during every test.</summary>
public sealed class MetadataCacheVfsTinyCacheContractTests : VfsContractTests
{
    protected override IVfs CreateVfs() =>
        new MetadataCacheVfs(new MemoryVfs(), new MetadataCacheOptions { MaxEntries = 4, MaxListingEntries = 2 });
}
