using Xunit;
using Vfs.Abstractions;

namespace Vfs.Testing.Contract;

/// <summary>open flags, reads and writes through handles, append, truncate, sparse writes, handles after rename/unlink.</summary>
public abstract partial class VfsContractTests
{
    [Fact]
    public virtual Task Open_Missing_IsEnoent() => WithVfs(async vfs =>
    {
        await AssertErrno(Errno.ENOENT, async () => await OpenAsync(vfs, "f", VfsOpenFlags.Read));
        await AssertErrno(Errno.ENOENT, async () => await OpenAsync(vfs, "f", VfsOpenFlags.Write));
        Assert.False(await ExistsAsync(vfs, "f"));
    });

    [Fact]
    public virtual Task Open_Create_CreatesEmptyFile() => WithVfs(async vfs =>
    {
        await using (var file = await OpenAsync(vfs, "f", VfsOpenFlags.Write | VfsOpenFlags.Create))
        {
            Assert.Equal(0, (await file.GetAttrAsync(None)).Size);
            await file.FlushAsync(None);
        }
        var attributes = await StatAsync(vfs, "f");
        Assert.Equal(VfsEntryKind.File, attributes.Kind);
        Assert.Equal(0, attributes.Size);
        Assert.Equal(["f"], await NamesAsync(vfs, ""));
    });

    [Fact]
    public virtual Task Open_CreateExclusiveExisting_IsEexist() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "keep");
        await MkdirAsync(vfs, "d");
        var flags = VfsOpenFlags.Write | VfsOpenFlags.Create | VfsOpenFlags.Exclusive;
        await AssertErrno(Errno.EEXIST, async () => await OpenAsync(vfs, "f", flags));
        await AssertErrno(Errno.EEXIST, async () => await OpenAsync(vfs, "d", flags));
        Assert.Equal("keep", await ReadTextAsync(vfs, "f"));
    });

    [Fact]
    public virtual Task Open_CreateWithoutExclusiveExisting_KeepsContent() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "keep");
        await using (var file = await OpenAsync(vfs, "f", VfsOpenFlags.Read | VfsOpenFlags.Create))
            Assert.Equal(Bytes("keep"), await ReadHandleAsync(file, 0, 100));
    });

    [Fact]
    public virtual Task Open_CreateInMissingParent_IsEnoent() => WithVfs(async vfs =>
        await AssertErrno(Errno.ENOENT, async () => await OpenAsync(vfs, "d/f", VfsOpenFlags.Write | VfsOpenFlags.Create)));

    [Fact]
    public virtual Task Open_ParentIsFile_IsEnotdir() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "x");
        await AssertErrno(Errno.ENOTDIR, async () => await OpenAsync(vfs, "f/g", VfsOpenFlags.Write | VfsOpenFlags.Create));
        await AssertErrno(Errno.ENOTDIR, async () => await OpenAsync(vfs, "f/g", VfsOpenFlags.Read));
    });

    [Fact]
    public virtual Task Open_Directory_IsEisdir() => WithVfs(async vfs =>
    {
        await MkdirAsync(vfs, "d");
        await AssertErrno(Errno.EISDIR, async () => await OpenAsync(vfs, "d", VfsOpenFlags.Write));
        await AssertErrno(Errno.EISDIR, async () => await OpenAsync(vfs, "d", VfsOpenFlags.ReadWrite | VfsOpenFlags.Create));
        await AssertErrno(Errno.EISDIR, async () => await OpenAsync(vfs, "d", VfsOpenFlags.Read));
    });

    [Fact]
    public virtual Task Open_WithoutAccessMode_IsEinval() => WithVfs(async vfs =>
    {
        await AssertErrno(Errno.EINVAL, async () => await OpenAsync(vfs, "f", VfsOpenFlags.Create));
        Assert.False(await ExistsAsync(vfs, "f"));
    });

    [Fact]
    public virtual Task Open_Truncate_EmptiesFile() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "old content");
        await using (var file = await OpenAsync(vfs, "f", VfsOpenFlags.Write | VfsOpenFlags.Truncate))
        {
            Assert.Equal(0, (await file.GetAttrAsync(None)).Size);
            await file.WriteAsync(0, Bytes("new"), None);
            await file.FlushAsync(None);
        }
        Assert.Equal("new", await ReadTextAsync(vfs, "f"));
    });

    [Fact]
    public virtual Task WriteAllBytes_Twice_ReplacesContent() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "a much longer first content");
        await WriteFileAsync(vfs, "f", "short");
        Assert.Equal("short", await ReadTextAsync(vfs, "f"));
        Assert.Equal(5, (await StatAsync(vfs, "f")).Size);
    });

    [Fact]
    public virtual Task Write_ThenRead_RoundTripsAcrossBlocks() => WithVfs(async vfs =>
    {
        var data = Pattern(300 * 1024 + 123);
        await using (var file = await OpenAsync(vfs, "f", VfsOpenFlags.Write | VfsOpenFlags.Create))
        {
            for (int offset = 0; offset < data.Length; offset += 50_000)
                await file.WriteAsync(offset, data.AsMemory(offset, Math.Min(50_000, data.Length - offset)), None);
            await file.FlushAsync(None);
        }
        Assert.Equal(data.Length, (await StatAsync(vfs, "f")).Size);
        Assert.Equal(data, await vfs.ReadAllBytesAsync(P("f"), None));
        await using var reader = await OpenAsync(vfs, "f", VfsOpenFlags.Read);
        Assert.Equal(data.AsSpan(70_000, 100_000).ToArray(), await ReadHandleAsync(reader, 70_000, 100_000));
    });

    [Fact]
    public virtual Task Read_AtAndPastEnd_ReturnsShortThenZero() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "0123456789");
        await using var file = await OpenAsync(vfs, "f", VfsOpenFlags.Read);
        var buffer = new byte[8];
        Assert.Equal(4, await file.ReadAsync(6, buffer, None));
        Assert.Equal(Bytes("6789"), buffer[..4]);
        Assert.Equal(0, await file.ReadAsync(10, buffer, None));
        Assert.Equal(0, await file.ReadAsync(1000, buffer, None));
    });

    [Fact]
    public virtual Task Write_ReadOnlyHandle_IsEbadf() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "keep");
        await using (var file = await OpenAsync(vfs, "f", VfsOpenFlags.Read))
            await AssertErrno(Errno.EBADF, async () => await file.WriteAsync(0, Bytes("x"), None));
        Assert.Equal("keep", await ReadTextAsync(vfs, "f"));
    });

    [Fact]
    public virtual Task Read_WriteOnlyHandle_IsEbadf() => WithVfs(async vfs =>
    {
        await using var file = await OpenAsync(vfs, "f", VfsOpenFlags.Write | VfsOpenFlags.Create);
        await AssertErrno(Errno.EBADF, async () => await file.ReadAsync(0, new byte[4], None));
    });

    [Fact]
    public virtual Task ReadWrite_NegativeOffset_IsEinval() => WithVfs(async vfs =>
    {
        await using var file = await OpenAsync(vfs, "f", VfsOpenFlags.ReadWrite | VfsOpenFlags.Create);
        await AssertErrno(Errno.EINVAL, async () => await file.ReadAsync(-1, new byte[4], None));
        await AssertErrno(Errno.EINVAL, async () => await file.WriteAsync(-1, Bytes("x"), None));
    });

    [Fact]
    public virtual Task Write_IntoMiddle_OverwritesInPlace() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "0123456789");
        await using (var file = await OpenAsync(vfs, "f", VfsOpenFlags.ReadWrite))
        {
            if (!CapabilitiesOf(vfs).Has(VfsCapabilities.RandomWrite))
            {
                await AssertRefused(async () => await file.WriteAsync(3, Bytes("abc"), None));
                return;
            }
            await file.WriteAsync(3, Bytes("abc"), None);
            Assert.Equal(Bytes("012abc6789"), await ReadHandleAsync(file, 0, 100));
            await file.FlushAsync(None);
        }
        Assert.Equal("012abc6789", await ReadTextAsync(vfs, "f"));
    });

    [Fact]
    public virtual Task Write_PastEnd_FillsGapWithZeros() => WithVfs(async vfs =>
    {
        await using (var file = await OpenAsync(vfs, "f", VfsOpenFlags.ReadWrite | VfsOpenFlags.Create))
        {
            await file.WriteAsync(0, Bytes("ab"), None);
            if (!CapabilitiesOf(vfs).Has(VfsCapabilities.RandomWrite))
            {
                await AssertRefused(async () => await file.WriteAsync(100_000, Bytes("z"), None));
                return;
            }
            await file.WriteAsync(100_000, Bytes("z"), None);
            Assert.Equal(100_001, (await file.GetAttrAsync(None)).Size);
            await file.FlushAsync(None);
        }
        var content = await vfs.ReadAllBytesAsync(P("f"), None);
        Assert.Equal(100_001, content.Length);
        Assert.Equal(Bytes("ab"), content[..2]);
        Assert.All(content[2..100_000], b => Assert.Equal(0, b));
        Assert.Equal((byte)'z', content[100_000]);
    });

    [Fact]
    public virtual Task Append_WritesAtEndWhateverOffset() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "start");
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.Append))
        {
            await AssertRefused(async () =>
            {
                await using var refused = await OpenAsync(vfs, "f", VfsOpenFlags.Write | VfsOpenFlags.Append);
                await refused.WriteAsync(0, Bytes("-more"), None);
                await refused.FlushAsync(None);
            });
            return;
        }
        await using (var file = await OpenAsync(vfs, "f", VfsOpenFlags.Write | VfsOpenFlags.Append))
        {
            await file.WriteAsync(0, Bytes("-one"), None);
            await file.WriteAsync(2, Bytes("-two"), None);
            await file.FlushAsync(None);
        }
        Assert.Equal("start-one-two", await ReadTextAsync(vfs, "f"));
    });

    [Fact]
    public virtual Task Open_WriteWithoutTruncate_KeepsContentAndWritesAtEnd() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "abc");
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.Append))
        {
            // A whole-object store may refuse at open, at the write or at flush, but must refuse.
            await AssertRefused(async () =>
            {
                await using var refused = await OpenAsync(vfs, "f", VfsOpenFlags.ReadWrite);
                await refused.WriteAsync(3, Bytes("def"), None);
                await refused.FlushAsync(None);
            });
            Assert.Equal("abc", await ReadTextAsync(vfs, "f"));
            return;
        }
        await using (var file = await OpenAsync(vfs, "f", VfsOpenFlags.ReadWrite))
        {
            Assert.Equal(Bytes("abc"), await ReadHandleAsync(file, 0, 10));
            await file.WriteAsync(3, Bytes("def"), None);
            await file.FlushAsync(None);
        }
        Assert.Equal("abcdef", await ReadTextAsync(vfs, "f"));
    });

    [Fact]
    public virtual Task Truncate_Down_DropsTail() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "0123456789");
        await using (var file = await OpenAsync(vfs, "f", VfsOpenFlags.ReadWrite))
        {
            if (!CapabilitiesOf(vfs).Has(VfsCapabilities.Truncate))
            {
                await AssertRefused(async () => await file.TruncateAsync(4, None));
                return;
            }
            await file.TruncateAsync(4, None);
            Assert.Equal(4, (await file.GetAttrAsync(None)).Size);
            Assert.Equal(Bytes("0123"), await ReadHandleAsync(file, 0, 100));
            await file.FlushAsync(None);
        }
        Assert.Equal("0123", await ReadTextAsync(vfs, "f"));
    });

    [Fact]
    public virtual Task Truncate_DownThenUp_ReadsZeros() => WithVfs(async vfs =>
    {
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.Truncate)) return; // refusal is pinned by Truncate_Down_DropsTail
        await WriteFileAsync(vfs, "f", "0123456789");
        await using (var file = await OpenAsync(vfs, "f", VfsOpenFlags.ReadWrite))
        {
            await file.TruncateAsync(2, None);
            await file.TruncateAsync(70_000, None);
            await file.FlushAsync(None);
        }
        var content = await vfs.ReadAllBytesAsync(P("f"), None);
        Assert.Equal(70_000, content.Length);
        Assert.Equal(Bytes("01"), content[..2]);
        Assert.All(content[2..], b => Assert.Equal(0, b));
    });

    [Fact]
    public virtual Task Truncate_ReadOnlyHandleOrNegative_IsEinval() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "keep");
        await using (var reader = await OpenAsync(vfs, "f", VfsOpenFlags.Read))
            await AssertErrno(Errno.EINVAL, async () => await reader.TruncateAsync(0, None));
        await using (var writer = await OpenAsync(vfs, "f", VfsOpenFlags.Write))
            await AssertErrno(Errno.EINVAL, async () => await writer.TruncateAsync(-1, None));
        Assert.Equal("keep", await ReadTextAsync(vfs, "f"));
    });

    [Fact]
    public virtual Task SetAttrSize_File_TruncatesAndExtends() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "0123456789");
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.Truncate))
        {
            await AssertRefused(async () => await vfs.SetAttrAsync(P("f"), new VfsAttributeChanges { Size = 3 }, None));
            return;
        }
        Assert.Equal(3, (await vfs.SetAttrAsync(P("f"), new VfsAttributeChanges { Size = 3 }, None)).Size);
        Assert.Equal("012", await ReadTextAsync(vfs, "f"));
        Assert.Equal(6, (await vfs.SetAttrAsync(P("f"), new VfsAttributeChanges { Size = 6 }, None)).Size);
        Assert.Equal(Bytes("012\0\0\0"), await vfs.ReadAllBytesAsync(P("f"), None));
    });

    [Fact]
    public virtual Task SetAttrSize_Directory_IsEisdir() => WithVfs(async vfs =>
    {
        await MkdirAsync(vfs, "d");
        await AssertErrno(Errno.EISDIR, async () => await vfs.SetAttrAsync(P("d"), new VfsAttributeChanges { Size = 0 }, None));
    });

    [Fact]
    public virtual Task Handle_AfterUnlink_KeepsReadingAndWriting() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "data");
        await using var file = await OpenAsync(vfs, "f", VfsOpenFlags.ReadWrite);
        await vfs.RemoveAsync(P("f"), None);
        Assert.False(await ExistsAsync(vfs, "f"));
        Assert.Equal(Bytes("data"), await ReadHandleAsync(file, 0, 100));
        if (CapabilitiesOf(vfs).Has(VfsCapabilities.Append))
        {
            await file.WriteAsync(4, Bytes("+more"), None);
            Assert.Equal(Bytes("data+more"), await ReadHandleAsync(file, 0, 100));
            await file.FlushAsync(None);
        }
        Assert.False(await ExistsAsync(vfs, "f"));
        Assert.Empty(await ListAsync(vfs, ""));
    });

    [Fact]
    public virtual Task Handle_AfterRename_KeepsWorkingOnSameFile() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "data");
        await MkdirAsync(vfs, "d");
        await using (var file = await OpenAsync(vfs, "f", VfsOpenFlags.ReadWrite))
        {
            await vfs.RenameAsync(P("f"), P("d/g"), VfsRenameFlags.None, None);
            Assert.Equal(Bytes("data"), await ReadHandleAsync(file, 0, 100));
            if (!CapabilitiesOf(vfs).Has(VfsCapabilities.Append)) return;
            await file.WriteAsync(4, Bytes("!"), None);
            await file.FlushAsync(None);
        }
        Assert.Equal("data!", await ReadTextAsync(vfs, "d/g"));
        Assert.False(await ExistsAsync(vfs, "f"));
    });

    [Fact]
    public virtual Task Handle_OfReplacedFile_KeepsOldContent() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "old", "old content");
        await WriteFileAsync(vfs, "new", "new content");
        await using var file = await OpenAsync(vfs, "old", VfsOpenFlags.Read);
        await vfs.RenameAsync(P("new"), P("old"), VfsRenameFlags.None, None);
        Assert.Equal(Bytes("old content"), await ReadHandleAsync(file, 0, 100));
        Assert.Equal("new content", await ReadTextAsync(vfs, "old"));
    });

    [Fact]
    public virtual Task TwoHandles_SeeEachOthersWrites() => WithVfs(async vfs =>
    {
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.RandomWrite)) return; // whole-object stores publish at close only
        await WriteFileAsync(vfs, "f", "aaaa");
        await using var writer = await OpenAsync(vfs, "f", VfsOpenFlags.Write);
        await using var reader = await OpenAsync(vfs, "f", VfsOpenFlags.Read);
        await writer.WriteAsync(1, Bytes("bb"), None);
        await writer.FlushAsync(None);
        Assert.Equal(Bytes("abba"), await ReadHandleAsync(reader, 0, 10));
    });

    [Fact]
    public virtual Task Handle_FlushAndFsyncTwice_AreHarmless() => WithVfs(async vfs =>
    {
        await using (var file = await OpenAsync(vfs, "f", VfsOpenFlags.Write | VfsOpenFlags.Create))
        {
            await file.WriteAsync(0, Bytes("x"), None);
            await file.FlushAsync(None);
            await file.FsyncAsync(None);
            await file.FlushAsync(None);
            await file.FsyncAsync(None);
        }
        Assert.Equal("x", await ReadTextAsync(vfs, "f"));
    });

    [Fact]
    public virtual Task Open_CreateWithMode_UsesMode() => WithVfs(async vfs =>
    {
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.Permissions)) return;
        await using (var file = await vfs.OpenAsync(P("f"), VfsOpenFlags.Write | VfsOpenFlags.Create, new VfsCreateOptions(0b110_000_000), None))
            await file.FlushAsync(None);
        Assert.Equal(0b110_000_000, (await StatAsync(vfs, "f")).Mode);
    });
}
