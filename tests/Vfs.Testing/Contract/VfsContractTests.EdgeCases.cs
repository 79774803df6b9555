using Xunit;
using Vfs.Abstractions;

namespace Vfs.Testing.Contract;

/// <summary>Corner cases where Linux's answer is not obvious; each pins one line of docs/stores.md.</summary>
public abstract partial class VfsContractTests
{
    [Fact]
    public virtual Task Root_CannotBeUnlinkedOpenedOrRead() => WithVfs(async vfs =>
    {
        await AssertErrno(Errno.EISDIR, async () => await vfs.RemoveAsync(VfsPath.Root, None));
        await AssertErrno(Errno.EISDIR, async () => await vfs.OpenAsync(VfsPath.Root, VfsOpenFlags.Read, default, None));
        await AssertErrno(Errno.EINVAL, async () => await vfs.ReadlinkAsync(VfsPath.Root, None));
        await AssertErrno(Errno.EISDIR, async () => await vfs.SetAttrAsync(VfsPath.Root, new VfsAttributeChanges { Size = 0 }, None));
    });

    [Fact]
    public virtual Task Rename_NoReplaceOntoItself_IsEexist() => WithVfs(async vfs =>
    {
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.RenameNoReplace)) return; // refusal pinned by Rename_NoReplaceOntoExisting_IsEexist
        await WriteFileAsync(vfs, "f", "x");
        await AssertErrno(Errno.EEXIST, () => RenameAsync(vfs, "f", "f", VfsRenameFlags.NoReplace));
        Assert.Equal("x", await ReadTextAsync(vfs, "f"));
    });

    [Fact]
    public virtual Task Rename_ExchangeWithItself_IsNoop() => WithVfs(async vfs =>
    {
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.RenameExchange)) return;
        await WriteFileAsync(vfs, "f", "x");
        await RenameAsync(vfs, "f", "f", VfsRenameFlags.Exchange);
        Assert.Equal("x", await ReadTextAsync(vfs, "f"));
    });

    [Fact]
    public virtual Task Mkdir_OverSymlink_IsEexist() => WithVfs(async vfs =>
    {
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.Symlinks)) return;
        await vfs.SymlinkAsync(P("link"), "missing-target", VfsCreateOptions.File, None);
        await AssertErrno(Errno.EEXIST, async () => await MkdirAsync(vfs, "link"));
        await AssertErrno(Errno.EEXIST, async () => await vfs.SymlinkAsync(P("link"), "other", VfsCreateOptions.File, None));
        Assert.Equal("missing-target", await vfs.ReadlinkAsync(P("link"), None));
    });

    [Fact]
    public virtual Task SetAttr_SymlinkSizeOrMode_IsEinvalOrEnotsup() => WithVfs(async vfs =>
    {
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.Symlinks)) return;
        await WriteFileAsync(vfs, "target", "keep");
        await vfs.SymlinkAsync(P("link"), "target", VfsCreateOptions.File, None);
        await AssertErrno(Errno.EINVAL, async () => await vfs.SetAttrAsync(P("link"), new VfsAttributeChanges { Size = 0 }, None));
        await AssertErrno(Errno.ENOTSUP, async () => await vfs.SetAttrAsync(P("link"), new VfsAttributeChanges { Mode = 0b110_000_000 }, None));
        Assert.Equal("keep", await ReadTextAsync(vfs, "target"));
        Assert.Equal(VfsEntryKind.Symlink, (await StatAsync(vfs, "link")).Kind);
    });

    [Fact]
    public virtual Task Open_CreateOverDanglingSymlink_IsEloopAndCreatesNothing() => WithVfs(async vfs =>
    {
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.Symlinks)) return;
        await vfs.SymlinkAsync(P("link"), "would-be-created", VfsCreateOptions.File, None);
        await AssertErrno(Errno.ELOOP, async () => await OpenAsync(vfs, "link", VfsOpenFlags.Write | VfsOpenFlags.Create));
        Assert.Equal(["link"], await NamesAsync(vfs, ""));
    });

    [Fact]
    public virtual Task Open_ReadOnlyWithTruncate_TruncatesAsLinux() => WithVfs(async vfs =>
    {
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.Truncate)) return;
        await WriteFileAsync(vfs, "f", "content");
        await using (var file = await OpenAsync(vfs, "f", VfsOpenFlags.Read | VfsOpenFlags.Truncate))
            Assert.Empty(await ReadHandleAsync(file, 0, 10));
        Assert.Equal(0, (await StatAsync(vfs, "f")).Size);
    });

    [Fact]
    public virtual Task Open_ExclusiveWithoutCreate_IsIgnored() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "x");
        await using (var file = await OpenAsync(vfs, "f", VfsOpenFlags.Read | VfsOpenFlags.Exclusive))
            Assert.Equal(Bytes("x"), await ReadHandleAsync(file, 0, 10));
        await AssertErrno(Errno.ENOENT, async () => await OpenAsync(vfs, "g", VfsOpenFlags.Read | VfsOpenFlags.Exclusive));
    });

    [Fact]
    public virtual Task Write_Empty_PastEnd_ChangesNothing() => WithVfs(async vfs =>
    {
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.Append)) return; // writing into an existing file; refusal pinned elsewhere
        await WriteFileAsync(vfs, "f", "abc");
        await using (var file = await OpenAsync(vfs, "f", VfsOpenFlags.Write))
        {
            await file.WriteAsync(100, ReadOnlyMemory<byte>.Empty, None);
            await file.FlushAsync(None);
        }
        Assert.Equal(3, (await StatAsync(vfs, "f")).Size);
    });
}
