using System.Collections.Concurrent;
using Vfs.Abstractions;
using Vfs.Abstractions.Local;
using Vfs.Testing.Contract;
using Vfs.Testing.Mount;

namespace Vfs.Fuse.Tests.Mount;

/// <summary>
/// The contract suite through a real mount: the system under test is <see cref="LocalVfs"/> on a fresh directory
/// of the mount (real syscalls into the kernel, FUSE, the child `vfs mount` process and its store). One mount per
/// class; each test gets its own empty directory in it, which is an empty store.
/// </summary>
public abstract class MountContractTests(MountFixture fixture) : VfsContractTests
{
    private static int s_next;
    private readonly ConcurrentDictionary<IVfs, string> _directories = new();

    protected override IVfs CreateVfs()
    {
        string directory = Path.Combine(fixture.Mount.MountPoint, $"contract-{Interlocked.Increment(ref s_next)}");
        Directory.CreateDirectory(directory);
        var vfs = new LocalVfs(directory);
        _directories[vfs] = directory;
        return vfs;
    }

    protected override async ValueTask DestroyVfsAsync(IVfs vfs)
    {
        await vfs.DisposeAsync();
        if (_directories.TryRemove(vfs, out var directory)) await fixture.Mount.BashAsync($"chmod -R u+rwx '{directory}' 2>/dev/null || true; rm -rf '{directory}'");
    }
}

public sealed class MemoryMountContractTests(MemoryMountFixture fixture) : MountContractTests(fixture), IClassFixture<MemoryMountFixture>;

public sealed class LocalMountContractTests(LocalMountFixture fixture) : MountContractTests(fixture), IClassFixture<LocalMountFixture>;
