using System.Collections.Concurrent;
using Vfs.Abstractions.Local;
using Vfs.Testing.Contract;

namespace Vfs.Abstractions.Tests.Local;

/// <summary>LocalVfs over a fresh temp directory keeps the whole contract, with no exception.</summary>
public sealed class LocalVfsContractTests : VfsContractTests
{
    private readonly ConcurrentDictionary<IVfs, TempDirectory> _directories = new();

    protected override IVfs CreateVfs()
    {
        var directory = new TempDirectory();
        var vfs = new LocalVfs(directory.Path);
        _directories[vfs] = directory;
        return vfs;
    }

    protected override async ValueTask DestroyVfsAsync(IVfs vfs)
    {
        await vfs.DisposeAsync();
        if (_directories.TryRemove(vfs, out var directory)) directory.Dispose();
    }
}
