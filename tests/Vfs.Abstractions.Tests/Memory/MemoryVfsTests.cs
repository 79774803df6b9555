using Microsoft.Extensions.Time.Testing;
using Vfs.Abstractions.Memory;

namespace Vfs.Abstractions.Tests.Memory;

/// <summary>What the model adds to the contract: injected time, sparse storage, statfs accounting, the one lock.</summary>
public sealed class MemoryVfsTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset Start = new(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);

    private static VfsPath P(string text) => VfsPath.Parse(text);

    [Fact]
    public async Task Create_UsesInjectedTime_ForEntryAndParent()
    {
        var time = new FakeTimeProvider(Start);
        var vfs = new MemoryVfs(time);
        time.Advance(TimeSpan.FromMinutes(1));
        var made = await vfs.MkdirAsync(P("d"), VfsCreateOptions.Directory, None);
        Assert.Equal(Start.AddMinutes(1), made.ModifiedTime);
        Assert.Equal(Start.AddMinutes(1), made.AccessTime);
        Assert.Equal(Start.AddMinutes(1), made.ChangeTime);
        Assert.Equal(Start.AddMinutes(1), (await vfs.GetAttrAsync(VfsPath.Root, None)).ModifiedTime);
    }

    [Fact]
    public async Task Write_MovesMtimeAndCtime_NotAtime()
    {
        var time = new FakeTimeProvider(Start);
        var vfs = new MemoryVfs(time);
        await using var file = await vfs.OpenAsync(P("f"), VfsOpenFlags.ReadWrite | VfsOpenFlags.Create, VfsCreateOptions.File, None);
        time.Advance(TimeSpan.FromSeconds(5));
        await file.WriteAsync(0, new byte[] { 1 }, None);
        time.Advance(TimeSpan.FromSeconds(5));
        await file.ReadAsync(0, new byte[1], None);
        var attributes = await file.GetAttrAsync(None);
        Assert.Equal(Start.AddSeconds(5), attributes.ModifiedTime);
        Assert.Equal(Start.AddSeconds(5), attributes.ChangeTime);
        Assert.Equal(Start, attributes.AccessTime);
    }

    [Fact]
    public async Task Rename_MovesCtimeOfEntryAndMtimeOfBothParents()
    {
        var time = new FakeTimeProvider(Start);
        var vfs = new MemoryVfs(time);
        await vfs.MkdirAsync(P("a"), VfsCreateOptions.Directory, None);
        await vfs.MkdirAsync(P("b"), VfsCreateOptions.Directory, None);
        await vfs.WriteAllBytesAsync(P("a/f"), new byte[] { 1 }, None);
        time.Advance(TimeSpan.FromHours(1));
        await vfs.RenameAsync(P("a/f"), P("b/f"), VfsRenameFlags.None, None);
        var later = Start.AddHours(1);
        Assert.Equal(later, (await vfs.GetAttrAsync(P("a"), None)).ModifiedTime);
        Assert.Equal(later, (await vfs.GetAttrAsync(P("b"), None)).ModifiedTime);
        var moved = await vfs.GetAttrAsync(P("b/f"), None);
        Assert.Equal(later, moved.ChangeTime);
        Assert.Equal(Start, moved.ModifiedTime);
    }

    [Fact]
    public async Task SetAttr_Mode_MasksToPermissionBitsAndMovesCtime()
    {
        var time = new FakeTimeProvider(Start);
        var vfs = new MemoryVfs(time);
        await vfs.WriteAllBytesAsync(P("f"), new byte[] { 1 }, None);
        time.Advance(TimeSpan.FromSeconds(1));
        var attributes = await vfs.SetAttrAsync(P("f"), new VfsAttributeChanges { Mode = 0x1_0000 | 0b111_000_000 }, None);
        Assert.Equal(0b111_000_000, attributes.Mode);
        Assert.Equal(Start.AddSeconds(1), attributes.ChangeTime);
        Assert.Equal(Start, attributes.ModifiedTime);
    }

    [Fact]
    public async Task Symlink_ModeIs0777_AndCannotChange()
    {
        var vfs = new MemoryVfs();
        var link = await vfs.SymlinkAsync(P("l"), "t", new VfsCreateOptions(0b110_000_000), None);
        Assert.Equal(0b111_111_111, link.Mode);
        var error = await Assert.ThrowsAsync<VfsException>(async () => await vfs.SetAttrAsync(P("l"), new VfsAttributeChanges { Mode = 0 }, None));
        Assert.Equal(Errno.ENOTSUP, error.Errno);
        var truncate = await Assert.ThrowsAsync<VfsException>(async () => await vfs.SetAttrAsync(P("l"), new VfsAttributeChanges { Size = 0 }, None));
        Assert.Equal(Errno.EINVAL, truncate.Errno);
    }

    [Fact]
    public async Task SparseWrite_FarPastEnd_AllocatesOnlyTouchedPages()
    {
        var vfs = new MemoryVfs();
        long offset = 1L << 38; // 256 GiB
        await using (var file = await vfs.OpenAsync(P("sparse"), VfsOpenFlags.ReadWrite | VfsOpenFlags.Create, VfsCreateOptions.File, None))
        {
            await file.WriteAsync(offset, new byte[] { 7 }, None);
            var buffer = new byte[16];
            Assert.Equal(16, await file.ReadAsync(offset - 15, buffer, None));
            Assert.Equal(7, buffer[15]);
            Assert.All(buffer[..15], b => Assert.Equal(0, b));
        }
        Assert.Equal(offset + 1, (await vfs.GetAttrAsync(P("sparse"), None)).Size);
        var statFs = await vfs.StatFsAsync(None);
        Assert.True(MemoryVfs.TotalBlocks - statFs.FreeBlocks <= 16, "one page of data, not 256 GiB");
    }

    [Fact]
    public async Task Write_PastLargestFileSize_IsEfbig()
    {
        var vfs = new MemoryVfs();
        await using var file = await vfs.OpenAsync(P("f"), VfsOpenFlags.Write | VfsOpenFlags.Create, VfsCreateOptions.File, None);
        var error = await Assert.ThrowsAsync<VfsException>(async () => await file.WriteAsync(PosixRules.MaxFileSize, new byte[] { 1 }, None));
        Assert.Equal(Errno.EFBIG, error.Errno);
    }

    [Fact]
    public async Task StatFs_CountsFilesAndBytes()
    {
        var vfs = new MemoryVfs();
        var empty = await vfs.StatFsAsync(None);
        await vfs.MkdirAsync(P("d"), VfsCreateOptions.Directory, None);
        await vfs.WriteAllBytesAsync(P("d/f"), new byte[200_000], None);
        var used = await vfs.StatFsAsync(None);
        Assert.Equal(empty.FreeFiles - 2, used.FreeFiles);
        Assert.True(used.FreeBlocks < empty.FreeBlocks);
        await vfs.RemoveAsync(P("d/f"), None);
        await vfs.RmdirAsync(P("d"), None);
        Assert.Equal(empty, await vfs.StatFsAsync(None));
    }

    [Fact]
    public async Task Handle_AfterDispose_IsEbadf()
    {
        var vfs = new MemoryVfs();
        var file = await vfs.OpenAsync(P("f"), VfsOpenFlags.ReadWrite | VfsOpenFlags.Create, VfsCreateOptions.File, None);
        await file.DisposeAsync();
        var error = await Assert.ThrowsAsync<VfsException>(async () => await file.ReadAsync(0, new byte[1], None));
        Assert.Equal(Errno.EBADF, error.Errno);
    }

    [Fact]
    public async Task ETag_ChangesWithContent()
    {
        var vfs = new MemoryVfs();
        await vfs.WriteAllBytesAsync(P("f"), new byte[] { 1 }, None);
        var first = (await vfs.GetAttrAsync(P("f"), None)).ETag;
        Assert.Equal(first, (await vfs.GetAttrAsync(P("f"), None)).ETag);
        await vfs.WriteAllBytesAsync(P("f"), new byte[] { 2 }, None);
        Assert.NotNull(first);
        Assert.NotEqual(first, (await vfs.GetAttrAsync(P("f"), None)).ETag);
    }

    [Fact]
    public async Task ConcurrentWritersAndRenames_KeepTreeConsistent()
    {
        var vfs = new MemoryVfs();
        await vfs.MkdirAsync(P("d"), VfsCreateOptions.Directory, None);
        var tasks = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (int i = 0; i < 200; i++)
            {
                var name = P($"d/w{worker}-{i % 5}");
                await vfs.WriteAllBytesAsync(name, BitConverter.GetBytes(i), None);
                await vfs.RenameAsync(name, P($"d/w{worker}"), VfsRenameFlags.None, None);
            }
        }));
        await Task.WhenAll(tasks);
        var names = new List<string>();
        await foreach (var entry in vfs.ListAsync(P("d"), None)) names.Add(entry.Name);
        Assert.Equal(Enumerable.Range(0, 8).Select(w => $"w{w}").Order(StringComparer.Ordinal), names);
        for (int w = 0; w < 8; w++) Assert.Equal(BitConverter.GetBytes(199), await vfs.ReadAllBytesAsync(P($"d/w{w}"), None));
    }

    [Fact]
    public async Task Cancelled_Token_ThrowsBeforeChanging()
    {
        var vfs = new MemoryVfs();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await vfs.MkdirAsync(P("d"), VfsCreateOptions.Directory, cancelled.Token));
        Assert.Null(await vfs.TryGetAttrAsync(P("d"), None));
    }
}
