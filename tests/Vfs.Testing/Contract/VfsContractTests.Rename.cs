using Xunit;
using Vfs.Abstractions;

namespace Vfs.Testing.Contract;

/// <summary>rename(2) and renameat2(2) with POSIX rules.</summary>
public abstract partial class VfsContractTests
{
    protected static Task RenameAsync(IVfs vfs, string from, string to, VfsRenameFlags flags = VfsRenameFlags.None) =>
        vfs.RenameAsync(P(from), P(to), flags, None).AsTask();

    [Fact]
    public virtual Task Rename_File_MovesContent() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "a", "content");
        await MkdirAsync(vfs, "d");
        await RenameAsync(vfs, "a", "d/b");
        Assert.False(await ExistsAsync(vfs, "a"));
        Assert.Equal("content", await ReadTextAsync(vfs, "d/b"));
        Assert.Equal(["d"], await NamesAsync(vfs, ""));
        Assert.Equal(["b"], await NamesAsync(vfs, "d"));
    });

    [Fact]
    public virtual Task Rename_FileOverFile_ReplacesTarget() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "a", "from a");
        await WriteFileAsync(vfs, "b", "old b, longer");
        await RenameAsync(vfs, "a", "b");
        Assert.Equal(["b"], await NamesAsync(vfs, ""));
        Assert.Equal("from a", await ReadTextAsync(vfs, "b"));
    });

    [Fact]
    public virtual Task Rename_FileOverDirectory_IsEisdir() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "x");
        await MkdirAsync(vfs, "d");
        await AssertErrno(Errno.EISDIR, () => RenameAsync(vfs, "f", "d"));
        Assert.True((await StatAsync(vfs, "f")).IsFile);
        Assert.True((await StatAsync(vfs, "d")).IsDirectory);
    });

    [Fact]
    public virtual Task Rename_DirectoryOverFile_IsEnotdir() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "x");
        await MkdirAsync(vfs, "d");
        await AssertErrno(Errno.ENOTDIR, () => RenameAsync(vfs, "d", "f"));
        Assert.Equal("x", await ReadTextAsync(vfs, "f"));
    });

    [Fact]
    public virtual Task Rename_DirectoryOverEmptyDirectory_ReplacesIt() => WithVfs(async vfs =>
    {
        await MkdirAsync(vfs, "src");
        await WriteFileAsync(vfs, "src/f", "x");
        await MkdirAsync(vfs, "dst");
        await RenameAsync(vfs, "src", "dst");
        Assert.Equal(["dst"], await NamesAsync(vfs, ""));
        Assert.Equal("x", await ReadTextAsync(vfs, "dst/f"));
    });

    [Fact]
    public virtual Task Rename_DirectoryOverNonEmptyDirectory_IsEnotempty() => WithVfs(async vfs =>
    {
        await MkdirAsync(vfs, "src");
        await MkdirAsync(vfs, "dst");
        await WriteFileAsync(vfs, "dst/keep", "k");
        await AssertErrno(Errno.ENOTEMPTY, () => RenameAsync(vfs, "src", "dst"));
        Assert.Equal("k", await ReadTextAsync(vfs, "dst/keep"));
        Assert.True(await ExistsAsync(vfs, "src"));
    });

    [Fact]
    public virtual Task Rename_DirectoryIntoOwnSubtree_IsEinval() => WithVfs(async vfs =>
    {
        await MkdirAsync(vfs, "a");
        await MkdirAsync(vfs, "a/b");
        await AssertErrno(Errno.EINVAL, () => RenameAsync(vfs, "a", "a/b/c"));
        await AssertErrno(Errno.EINVAL, () => RenameAsync(vfs, "a", "a/c"));
        Assert.True(await ExistsAsync(vfs, "a/b"));
    });

    [Fact]
    public virtual Task Rename_OntoOwnAncestor_IsEnotempty() => WithVfs(async vfs =>
    {
        await MkdirAsync(vfs, "a");
        await MkdirAsync(vfs, "a/b");
        await AssertErrno(Errno.ENOTEMPTY, () => RenameAsync(vfs, "a/b", "a"));
        Assert.True(await ExistsAsync(vfs, "a/b"));
    });

    [Fact]
    public virtual Task Rename_ToItself_IsNoop() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "x");
        await MkdirAsync(vfs, "d");
        await WriteFileAsync(vfs, "d/g", "y");
        await RenameAsync(vfs, "f", "f");
        await RenameAsync(vfs, "d", "d");
        Assert.Equal("x", await ReadTextAsync(vfs, "f"));
        Assert.Equal("y", await ReadTextAsync(vfs, "d/g"));
        Assert.Equal(["d", "f"], await NamesAsync(vfs, ""));
    });

    [Fact]
    public virtual Task Rename_Directory_MovesWholeSubtree() => WithVfs(async vfs =>
    {
        await MkdirAsync(vfs, "a");
        await MkdirAsync(vfs, "a/b");
        await WriteFileAsync(vfs, "a/top", "1");
        await WriteFileAsync(vfs, "a/b/deep", "2");
        await MkdirAsync(vfs, "a/empty");
        await MkdirAsync(vfs, "x");
        await RenameAsync(vfs, "a", "x/moved");
        Assert.False(await ExistsAsync(vfs, "a"));
        Assert.Equal(["b", "empty", "top"], await NamesAsync(vfs, "x/moved"));
        Assert.Equal("1", await ReadTextAsync(vfs, "x/moved/top"));
        Assert.Equal("2", await ReadTextAsync(vfs, "x/moved/b/deep"));
        Assert.Empty(await ListAsync(vfs, "x/moved/empty"));
    });

    [Fact]
    public virtual Task Rename_MissingSource_IsEnoent() => WithVfs(async vfs =>
    {
        await AssertErrno(Errno.ENOENT, () => RenameAsync(vfs, "nothing", "b"));
        await AssertErrno(Errno.ENOENT, () => RenameAsync(vfs, "no/thing", "b"));
        Assert.Empty(await ListAsync(vfs, ""));
    });

    [Fact]
    public virtual Task Rename_TargetParentMissingOrFile_IsEnoentOrEnotdir() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "x");
        await WriteFileAsync(vfs, "g", "y");
        await AssertErrno(Errno.ENOENT, () => RenameAsync(vfs, "f", "missing/f"));
        await AssertErrno(Errno.ENOTDIR, () => RenameAsync(vfs, "f", "g/f"));
        Assert.Equal("x", await ReadTextAsync(vfs, "f"));
    });

    [Fact]
    public virtual Task Rename_Root_IsEbusy() => WithVfs(async vfs =>
    {
        await MkdirAsync(vfs, "d");
        await AssertErrno(Errno.EBUSY, async () => await vfs.RenameAsync(VfsPath.Root, P("x"), VfsRenameFlags.None, None));
        await AssertErrno(Errno.EBUSY, async () => await vfs.RenameAsync(P("d"), VfsPath.Root, VfsRenameFlags.None, None));
    });

    [Fact]
    public virtual Task Rename_NoReplaceOntoExisting_IsEexist() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "a", "a");
        await WriteFileAsync(vfs, "b", "b");
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.RenameNoReplace))
        {
            await AssertRefused(() => RenameAsync(vfs, "a", "c", VfsRenameFlags.NoReplace));
            return;
        }
        await AssertErrno(Errno.EEXIST, () => RenameAsync(vfs, "a", "b", VfsRenameFlags.NoReplace));
        Assert.Equal("b", await ReadTextAsync(vfs, "b"));
        await RenameAsync(vfs, "a", "c", VfsRenameFlags.NoReplace);
        Assert.Equal(["b", "c"], await NamesAsync(vfs, ""));
    });

    [Fact]
    public virtual Task Rename_Exchange_SwapsEntriesOfAnyKind() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "file");
        await MkdirAsync(vfs, "d");
        await WriteFileAsync(vfs, "d/inner", "i");
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.RenameExchange))
        {
            await AssertRefused(() => RenameAsync(vfs, "f", "d", VfsRenameFlags.Exchange));
            return;
        }
        await RenameAsync(vfs, "f", "d", VfsRenameFlags.Exchange);
        Assert.Equal("file", await ReadTextAsync(vfs, "d"));
        Assert.Equal("i", await ReadTextAsync(vfs, "f/inner"));
        await WriteFileAsync(vfs, "g", "g");
        await RenameAsync(vfs, "g", "d", VfsRenameFlags.Exchange);
        Assert.Equal("g", await ReadTextAsync(vfs, "d"));
        Assert.Equal("file", await ReadTextAsync(vfs, "g"));
    });

    [Fact]
    public virtual Task Rename_ExchangeWithMissingTarget_IsEnoent() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "a", "a");
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.RenameExchange)) return; // refusal pinned by Rename_Exchange_SwapsEntriesOfAnyKind
        await AssertErrno(Errno.ENOENT, () => RenameAsync(vfs, "a", "b", VfsRenameFlags.Exchange));
        Assert.Equal(["a"], await NamesAsync(vfs, ""));
    });

    [Fact]
    public virtual Task Rename_ExchangeWithAncestor_IsEinval() => WithVfs(async vfs =>
    {
        await MkdirAsync(vfs, "a");
        await MkdirAsync(vfs, "a/b");
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.RenameExchange)) return;
        await AssertErrno(Errno.EINVAL, () => RenameAsync(vfs, "a", "a/b", VfsRenameFlags.Exchange));
        await AssertErrno(Errno.EINVAL, () => RenameAsync(vfs, "a/b", "a", VfsRenameFlags.Exchange));
    });

    [Fact]
    public virtual Task Rename_NoReplaceWithExchange_IsEinval() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "a", "a");
        await WriteFileAsync(vfs, "b", "b");
        await AssertErrno(Errno.EINVAL, () => RenameAsync(vfs, "a", "b", VfsRenameFlags.NoReplace | VfsRenameFlags.Exchange));
        Assert.Equal("a", await ReadTextAsync(vfs, "a"));
        Assert.Equal("b", await ReadTextAsync(vfs, "b"));
    });

    [Fact]
    public virtual Task Rename_Symlink_MovesLinkNotTarget() => WithVfs(async vfs =>
    {
        if (!CapabilitiesOf(vfs).Has(VfsCapabilities.Symlinks)) return;
        await WriteFileAsync(vfs, "target", "t");
        await vfs.SymlinkAsync(P("link"), "target", VfsCreateOptions.File, None);
        await RenameAsync(vfs, "link", "moved");
        Assert.Equal("target", await vfs.ReadlinkAsync(P("moved"), None));
        Assert.Equal("t", await ReadTextAsync(vfs, "target"));
        Assert.Equal(["moved", "target"], await NamesAsync(vfs, ""));
    });
}
