using Vfs.Abstractions.Memory;
using Vfs.Testing.Contract;

namespace Vfs.Abstractions.Tests.Memory;

/// <summary>The reference model keeps the whole contract, with no exception.</summary>
public sealed class MemoryVfsContractTests : VfsContractTests
{
    protected override IVfs CreateVfs() => new MemoryVfs();
}
