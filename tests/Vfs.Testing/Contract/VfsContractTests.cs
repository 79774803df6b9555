using Xunit;
using System.Text;
using Vfs.Abstractions;

namespace Vfs.Testing.Contract;

/// <summary>
/// The contract every stack keeps (STYLE.md habit 13): named behaviours of each <see cref="IVfs"/> operation and each
/// error path, run against the reference model, the caches, S3 and the real mount by one small subclass each.
/// </summary>
/// <remarks>
/// How to subclass: override <see cref="CreateVfs"/> (or <see cref="CreateVfsAsync"/> when building the store needs
/// awaiting) to return a FRESH, EMPTY store; override <see cref="DestroyVfsAsync"/> to clean up what the fixture
/// made (temp dirs, mounts, buckets). Every test builds its own store and disposes it, even when it fails, and makes
/// no timing assumption. A behaviour that needs a capability the stack lacks (<see cref="VfsCapabilities"/>) is not
/// skipped: the first test of each capability asserts instead that the stack refuses with a clear errno (ENOTSUP or
/// EINVAL), never silently wrong data; the capability's further tests then return early. A deliberate difference is
/// stated by overriding the (virtual) test with <c>[Fact(Skip = "why")]</c>.
/// </remarks>
public abstract partial class VfsContractTests
{
    protected static readonly CancellationToken None = CancellationToken.None;

    /// <summary>A fresh, empty store. Override this or <see cref="CreateVfsAsync"/>.</summary>
    protected virtual IVfs CreateVfs() =>
        throw new NotImplementedException($"{GetType().Name} must override CreateVfs or CreateVfsAsync");

    protected virtual ValueTask<IVfs> CreateVfsAsync() => ValueTask.FromResult(CreateVfs());

    /// <summary>Releases a store made by <see cref="CreateVfsAsync"/> (called even when the test failed).</summary>
    protected virtual ValueTask DestroyVfsAsync(IVfs vfs) => vfs.DisposeAsync();

    /// <summary>What the stack under test can do; by default what it says of itself.</summary>
    protected virtual VfsCapabilities CapabilitiesOf(IVfs vfs) => vfs.Capabilities;

    /// <summary>Runs <paramref name="test"/> against a fresh store and always destroys the store.</summary>
    protected async Task WithVfs(Func<IVfs, Task> test)
    {
        var vfs = await CreateVfsAsync();
        try
        {
            await test(vfs);
        }
        finally
        {
            await DestroyVfsAsync(vfs);
        }
    }

    // ---- helpers shared by the behaviour files ----

    protected static VfsPath P(string text) => VfsPath.Parse(text);

    protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Deterministic, position-dependent bytes, so a shifted or lost range shows up.</summary>
    protected static byte[] Pattern(int length, int seed = 1)
    {
        var data = new byte[length];
        for (int i = 0; i < length; i++) data[i] = (byte)((i * 31 + seed * 17 + (i >> 8)) & 0xFF);
        return data;
    }

    protected static async Task<Errno> ErrnoOf(Func<Task> action)
    {
        var exception = await Assert.ThrowsAsync<VfsException>(action);
        return exception.Errno;
    }

    protected static async Task AssertErrno(Errno expected, Func<Task> action) =>
        Assert.Equal(expected, await ErrnoOf(action));

    /// <summary>A stack without a capability must refuse the request with ENOTSUP or EINVAL.</summary>
    protected static async Task AssertRefused(Func<Task> action)
    {
        var errno = await ErrnoOf(action);
        Assert.True(errno is Errno.ENOTSUP or Errno.EINVAL, $"expected ENOTSUP or EINVAL, got {errno}");
    }

    protected static async Task<List<VfsEntry>> ListAsync(IVfs vfs, string path)
    {
        var entries = new List<VfsEntry>();
        await foreach (var entry in vfs.ListAsync(P(path), None)) entries.Add(entry);
        return entries;
    }

    protected static async Task<List<string>> NamesAsync(IVfs vfs, string path) =>
        (await ListAsync(vfs, path)).Select(entry => entry.Name).Order(StringComparer.Ordinal).ToList();

    protected static ValueTask WriteFileAsync(IVfs vfs, string path, byte[] content) =>
        vfs.WriteAllBytesAsync(P(path), content, None);

    protected static ValueTask WriteFileAsync(IVfs vfs, string path, string content) =>
        vfs.WriteAllBytesAsync(P(path), Bytes(content), None);

    protected static async Task<string> ReadTextAsync(IVfs vfs, string path) =>
        Encoding.UTF8.GetString(await vfs.ReadAllBytesAsync(P(path), None));

    protected static ValueTask<VfsAttributes> MkdirAsync(IVfs vfs, string path) =>
        vfs.MkdirAsync(P(path), VfsCreateOptions.Directory, None);

    protected static ValueTask<IVfsFile> OpenAsync(IVfs vfs, string path, VfsOpenFlags flags) =>
        vfs.OpenAsync(P(path), flags, VfsCreateOptions.File, None);

    protected static async Task<byte[]> ReadHandleAsync(IVfsFile file, long offset, int count)
    {
        var buffer = new byte[count];
        int total = 0;
        while (total < count)
        {
            int n = await file.ReadAsync(offset + total, buffer.AsMemory(total), None);
            if (n == 0) break;
            total += n;
        }
        return buffer[..total];
    }

    protected static async Task<VfsAttributes> StatAsync(IVfs vfs, string path) => await vfs.GetAttrAsync(P(path), None);

    protected static async Task<bool> ExistsAsync(IVfs vfs, string path) => await vfs.TryGetAttrAsync(P(path), None) is not null;
}
