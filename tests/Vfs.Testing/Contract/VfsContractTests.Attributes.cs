using Xunit;
using Vfs.Abstractions;

namespace Vfs.Testing.Contract;

/// <summary>Symlinks, permission bits, owners and times.</summary>
public abstract partial class VfsContractTests
{
    [Fact]
    public virtual Task Symlink_Create_ReadlinkReturnsTargetVerbatim() => WithVfs(async vfs =>
    {
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.Symlinks))
        {
            await AssertRefused(async () => await vfs.SymlinkAsync(P("l"), "t", VfsCreateOptions.File, None));
            return;
        }
        string[] targets = ["relative/target", "/absolute/elsewhere", "../outside", "dangling"];
        for (int i = 0; i < targets.Length; i++)
        {
            var attributes = await vfs.SymlinkAsync(P($"l{i}"), targets[i], VfsCreateOptions.File, None);
            Assert.Equal(VfsEntryKind.Symlink, attributes.Kind);
            Assert.Equal(targets[i], await vfs.ReadlinkAsync(P($"l{i}"), None));
            var stat = await StatAsync(vfs, $"l{i}");
            Assert.Equal(VfsEntryKind.Symlink, stat.Kind);
            Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(targets[i]), stat.Size);
        }
        var listed = (await ListAsync(vfs, "")).Single(entry => entry.Name == "l0");
        Assert.Equal(VfsEntryKind.Symlink, listed.Attributes.Kind);
    });

    [Fact]
    public virtual Task Symlink_Existing_IsEexist() => WithVfs(async vfs =>
    {
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.Symlinks)) return;
        await WriteFileAsync(vfs, "f", "x");
        await AssertErrno(Errno.EEXIST, async () => await vfs.SymlinkAsync(P("f"), "t", VfsCreateOptions.File, None));
        Assert.Equal("x", await ReadTextAsync(vfs, "f"));
    });

    [Fact]
    public virtual Task Symlink_BadTarget_IsEnoentOrEnametoolong() => WithVfs(async vfs =>
    {
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.Symlinks)) return;
        await AssertErrno(Errno.ENOENT, async () => await vfs.SymlinkAsync(P("l"), "", VfsCreateOptions.File, None));
        await AssertErrno(Errno.ENAMETOOLONG, async () => await vfs.SymlinkAsync(P("l"), new string('t', 4096), VfsCreateOptions.File, None));
        await AssertErrno(Errno.ENOENT, async () => await vfs.SymlinkAsync(P("missing/l"), "t", VfsCreateOptions.File, None));
        Assert.Empty(await ListAsync(vfs, ""));
    });

    [Fact]
    public virtual Task Readlink_NotASymlink_IsEinval() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "x");
        await MkdirAsync(vfs, "d");
        await AssertErrno(Errno.EINVAL, async () => await vfs.ReadlinkAsync(P("f"), None));
        await AssertErrno(Errno.EINVAL, async () => await vfs.ReadlinkAsync(P("d"), None));
        await AssertErrno(Errno.ENOENT, async () => await vfs.ReadlinkAsync(P("missing"), None));
    });

    [Fact]
    public virtual Task Open_Symlink_IsEloop() => WithVfs(async vfs =>
    {
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.Symlinks)) return;
        await WriteFileAsync(vfs, "target", "secret");
        await vfs.SymlinkAsync(P("link"), "target", VfsCreateOptions.File, None);
        await AssertErrno(Errno.ELOOP, async () => await OpenAsync(vfs, "link", VfsOpenFlags.Read));
        await AssertErrno(Errno.ELOOP, async () => await OpenAsync(vfs, "link", VfsOpenFlags.Write | VfsOpenFlags.Create | VfsOpenFlags.Truncate));
        await AssertErrno(Errno.EEXIST, async () => await OpenAsync(vfs, "link", VfsOpenFlags.Write | VfsOpenFlags.Create | VfsOpenFlags.Exclusive));
        Assert.Equal("secret", await ReadTextAsync(vfs, "target"));
    });

    [Fact]
    public virtual Task Symlink_AsPathComponent_IsEnotdir() => WithVfs(async vfs =>
    {
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.Symlinks)) return;
        await MkdirAsync(vfs, "dir");
        await WriteFileAsync(vfs, "dir/f", "x");
        await vfs.SymlinkAsync(P("link"), "dir", VfsCreateOptions.File, None);
        await AssertErrno(Errno.ENOTDIR, async () => await vfs.TryGetAttrAsync(P("link/f"), None));
        await AssertErrno(Errno.ENOTDIR, async () => await OpenAsync(vfs, "link/f", VfsOpenFlags.Read));
        await AssertErrno(Errno.ENOTDIR, () => ListAsync(vfs, "link"));
        await AssertErrno(Errno.ENOTDIR, async () => await vfs.RemoveAsync(P("link/f"), None));
        Assert.True(await ExistsAsync(vfs, "dir/f"));
    });

    [Fact]
    public virtual Task Remove_Symlink_RemovesLinkOnly() => WithVfs(async vfs =>
    {
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.Symlinks)) return;
        await MkdirAsync(vfs, "dir");
        await vfs.SymlinkAsync(P("link"), "dir", VfsCreateOptions.File, None);
        await AssertErrno(Errno.ENOTDIR, async () => await vfs.RmdirAsync(P("link"), None));
        await vfs.RemoveAsync(P("link"), None);
        Assert.Equal(["dir"], await NamesAsync(vfs, ""));
    });

    [Fact]
    public virtual Task Mkdir_WithModeAndOwner_UsesThem() => WithVfs(async vfs =>
    {
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.Permissions)) return;
        var made = await vfs.MkdirAsync(P("d"), new VfsCreateOptions(0b111_000_000, 1234, 5678), None);
        Assert.Equal(0b111_000_000, made.Mode);
        var stat = await StatAsync(vfs, "d");
        Assert.Equal(0b111_000_000, stat.Mode);
        Assert.Equal(1234u, stat.Uid);
        Assert.Equal(5678u, stat.Gid);
    });

    [Fact]
    public virtual Task SetAttr_ModeAndOwner_AreStored() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "x");
        var change = new VfsAttributeChanges { Mode = 0b111_101_000, Uid = 4321, Gid = 8765 };
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.Permissions))
        {
            await AssertRefused(async () => await vfs.SetAttrAsync(P("f"), change, None));
            return;
        }
        var returned = await vfs.SetAttrAsync(P("f"), change, None);
        var stat = await StatAsync(vfs, "f");
        foreach (var attributes in new[] { returned, stat })
        {
            Assert.Equal(0b111_101_000, attributes.Mode);
            Assert.Equal(4321u, attributes.Uid);
            Assert.Equal(8765u, attributes.Gid);
        }
        Assert.Equal("x", await ReadTextAsync(vfs, "f"));
    });

    [Fact]
    public virtual Task SetAttr_SetuidStickyBits_AreKept() => WithVfs(async vfs =>
    {
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.Permissions)) return;
        await MkdirAsync(vfs, "d");
        const int stickyRwx = 0b001_111_111_111; // 01777
        Assert.Equal(stickyRwx, (await vfs.SetAttrAsync(P("d"), new VfsAttributeChanges { Mode = stickyRwx }, None)).Mode);
        Assert.Equal(stickyRwx, (await StatAsync(vfs, "d")).Mode);
    });

    [Fact]
    public virtual Task SetAttr_Times_AreStored() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "x");
        await MkdirAsync(vfs, "d");
        var atime = new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var mtime = new DateTimeOffset(2021, 6, 7, 8, 9, 10, TimeSpan.Zero);
        var change = new VfsAttributeChanges { AccessTime = atime, ModifiedTime = mtime };
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.SetTimes))
        {
            await AssertRefused(async () => await vfs.SetAttrAsync(P("f"), change, None));
            return;
        }
        foreach (var path in new[] { "f", "d" })
        {
            await vfs.SetAttrAsync(P(path), change, None);
            var stat = await StatAsync(vfs, path);
            Assert.Equal(mtime, stat.ModifiedTime);
            Assert.Equal(atime, stat.AccessTime);
        }
    });

    [Fact]
    public virtual Task SetAttr_Missing_IsEnoent() => WithVfs(async vfs =>
    {
        await AssertErrno(Errno.ENOENT, async () => await vfs.SetAttrAsync(P("f"), new VfsAttributeChanges { Mode = 0b110_100_100 }, None));
        await AssertErrno(Errno.ENOENT, async () => await vfs.SetAttrAsync(P("a/f"), new VfsAttributeChanges { Size = 0 }, None));
    });

    [Fact]
    public virtual Task SetAttr_Empty_ReturnsCurrentAttributes() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "abc");
        var returned = await vfs.SetAttrAsync(P("f"), new VfsAttributeChanges(), None);
        Assert.Equal(VfsEntryKind.File, returned.Kind);
        Assert.Equal(3, returned.Size);
    });

    [Fact]
    public virtual Task Write_MovesModifiedTimeForward() => WithVfs(async vfs =>
    {
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.SetTimes)) return;
        await WriteFileAsync(vfs, "f", "x");
        var past = new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await vfs.SetAttrAsync(P("f"), new VfsAttributeChanges { ModifiedTime = past }, None);
        await WriteFileAsync(vfs, "f", "y");
        Assert.True((await StatAsync(vfs, "f")).ModifiedTime > past);
    });
}
