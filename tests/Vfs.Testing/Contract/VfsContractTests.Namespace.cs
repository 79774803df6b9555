using Xunit;
using Vfs.Abstractions;

namespace Vfs.Testing.Contract;

/// <summary>Lookup, mkdir, unlink, rmdir, listing and names.</summary>
public abstract partial class VfsContractTests
{
    [Fact]
    public virtual Task GetAttr_Root_IsDirectory() => WithVfs(async vfs =>
    {
        var root = await vfs.GetAttrAsync(VfsPath.Root, None);
        Assert.Equal(VfsEntryKind.Directory, root.Kind);
        Assert.Empty(await ListAsync(vfs, ""));
    });

    [Fact]
    public virtual Task TryGetAttr_Missing_ReturnsNull() => WithVfs(async vfs =>
    {
        Assert.Null(await vfs.TryGetAttrAsync(P("nothing"), None));
        Assert.Null(await vfs.TryGetAttrAsync(P("no/such/parent"), None));
        await AssertErrno(Errno.ENOENT, () => StatAsync(vfs, "nothing"));
    });

    [Fact]
    public virtual Task TryGetAttr_ParentIsFile_IsEnotdir() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "x");
        await AssertErrno(Errno.ENOTDIR, async () => await vfs.TryGetAttrAsync(P("f/child"), None));
    });

    [Fact]
    public virtual Task GetAttr_File_ReportsKindAndSize() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "hello");
        var attributes = await StatAsync(vfs, "f");
        Assert.Equal(VfsEntryKind.File, attributes.Kind);
        Assert.Equal(5, attributes.Size);
    });

    [Fact]
    public virtual Task Mkdir_New_CreatesEmptyDirectory() => WithVfs(async vfs =>
    {
        var made = await MkdirAsync(vfs, "d");
        Assert.Equal(VfsEntryKind.Directory, made.Kind);
        Assert.Equal(VfsEntryKind.Directory, (await StatAsync(vfs, "d")).Kind);
        Assert.Empty(await ListAsync(vfs, "d"));
        Assert.Equal(["d"], await NamesAsync(vfs, ""));
    });

    [Fact]
    public virtual Task Mkdir_Nested_CreatesEachLevel() => WithVfs(async vfs =>
    {
        await MkdirAsync(vfs, "a");
        await MkdirAsync(vfs, "a/b");
        await MkdirAsync(vfs, "a/b/c");
        Assert.Equal(["b"], await NamesAsync(vfs, "a"));
        Assert.Equal(["c"], await NamesAsync(vfs, "a/b"));
        Assert.True((await StatAsync(vfs, "a/b/c")).IsDirectory);
    });

    [Fact]
    public virtual Task Mkdir_Existing_IsEexist() => WithVfs(async vfs =>
    {
        await MkdirAsync(vfs, "d");
        await WriteFileAsync(vfs, "f", "x");
        await AssertErrno(Errno.EEXIST, async () => await MkdirAsync(vfs, "d"));
        await AssertErrno(Errno.EEXIST, async () => await MkdirAsync(vfs, "f"));
        await AssertErrno(Errno.EEXIST, async () => await MkdirAsync(vfs, ""));
        Assert.True((await StatAsync(vfs, "f")).IsFile);
    });

    [Fact]
    public virtual Task Mkdir_MissingParent_IsEnoent() => WithVfs(async vfs =>
        await AssertErrno(Errno.ENOENT, async () => await MkdirAsync(vfs, "missing/d")));

    [Fact]
    public virtual Task Mkdir_ParentIsFile_IsEnotdir() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "x");
        await AssertErrno(Errno.ENOTDIR, async () => await MkdirAsync(vfs, "f/d"));
    });

    [Fact]
    public virtual Task Remove_File_RemovesIt() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "x");
        await WriteFileAsync(vfs, "g", "y");
        await vfs.RemoveAsync(P("f"), None);
        Assert.False(await ExistsAsync(vfs, "f"));
        Assert.Equal(["g"], await NamesAsync(vfs, ""));
    });

    [Fact]
    public virtual Task Remove_Missing_IsEnoent() => WithVfs(async vfs =>
    {
        await AssertErrno(Errno.ENOENT, async () => await vfs.RemoveAsync(P("nothing"), None));
        await AssertErrno(Errno.ENOENT, async () => await vfs.RemoveAsync(P("no/thing"), None));
    });

    [Fact]
    public virtual Task Remove_Directory_IsEisdir() => WithVfs(async vfs =>
    {
        await MkdirAsync(vfs, "d");
        await AssertErrno(Errno.EISDIR, async () => await vfs.RemoveAsync(P("d"), None));
        Assert.True(await ExistsAsync(vfs, "d"));
    });

    [Fact]
    public virtual Task Remove_ParentIsFile_IsEnotdir() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "x");
        await AssertErrno(Errno.ENOTDIR, async () => await vfs.RemoveAsync(P("f/x"), None));
    });

    [Fact]
    public virtual Task Rmdir_Empty_RemovesIt() => WithVfs(async vfs =>
    {
        await MkdirAsync(vfs, "d");
        await vfs.RmdirAsync(P("d"), None);
        Assert.False(await ExistsAsync(vfs, "d"));
        Assert.Empty(await ListAsync(vfs, ""));
    });

    [Fact]
    public virtual Task Rmdir_NonEmpty_IsEnotempty() => WithVfs(async vfs =>
    {
        await MkdirAsync(vfs, "d");
        await WriteFileAsync(vfs, "d/f", "x");
        await AssertErrno(Errno.ENOTEMPTY, async () => await vfs.RmdirAsync(P("d"), None));
        Assert.Equal("x", await ReadTextAsync(vfs, "d/f"));
    });

    [Fact]
    public virtual Task Rmdir_File_IsEnotdir() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "x");
        await AssertErrno(Errno.ENOTDIR, async () => await vfs.RmdirAsync(P("f"), None));
        Assert.True(await ExistsAsync(vfs, "f"));
    });

    [Fact]
    public virtual Task Rmdir_Missing_IsEnoent() => WithVfs(async vfs =>
        await AssertErrno(Errno.ENOENT, async () => await vfs.RmdirAsync(P("d"), None)));

    [Fact]
    public virtual Task Rmdir_Root_IsEbusy() => WithVfs(async vfs =>
        await AssertErrno(Errno.EBUSY, async () => await vfs.RmdirAsync(VfsPath.Root, None)));

    [Fact]
    public virtual Task List_Directory_ReturnsEachEntryWithAttributes() => WithVfs(async vfs =>
    {
        await MkdirAsync(vfs, "d");
        await WriteFileAsync(vfs, "d/file", "12345");
        await MkdirAsync(vfs, "d/sub");
        var entries = (await ListAsync(vfs, "d")).ToDictionary(entry => entry.Name);
        Assert.Equal(2, entries.Count);
        Assert.Equal(VfsEntryKind.File, entries["file"].Attributes.Kind);
        Assert.Equal(5, entries["file"].Attributes.Size);
        Assert.Equal(VfsEntryKind.Directory, entries["sub"].Attributes.Kind);
        Assert.DoesNotContain(".", entries.Keys);
        Assert.DoesNotContain("..", entries.Keys);
    });

    [Fact]
    public virtual Task List_ManyEntries_ReturnsEachOnce() => WithVfs(async vfs =>
    {
        var expected = Enumerable.Range(0, 60).Select(i => $"f{i:D3}").ToList();
        foreach (var name in expected) await WriteFileAsync(vfs, name, name);
        Assert.Equal(expected, await NamesAsync(vfs, ""));
    });

    [Fact]
    public virtual Task List_File_IsEnotdir() => WithVfs(async vfs =>
    {
        await WriteFileAsync(vfs, "f", "x");
        await AssertErrno(Errno.ENOTDIR, () => ListAsync(vfs, "f"));
    });

    [Fact]
    public virtual Task List_Missing_IsEnoent() => WithVfs(async vfs =>
        await AssertErrno(Errno.ENOENT, () => ListAsync(vfs, "d")));

    [Fact]
    public virtual Task Names_UnicodeSpacesAndLongest_RoundTrip() => WithVfs(async vfs =>
    {
        string[] names = ["with space", "ünïcödé-名前", "-dash", ".hidden", "a\tb", new string('n', VfsPath.MaxSegmentBytes)];
        foreach (var name in names) await WriteFileAsync(vfs, name, name);
        Assert.Equal(names.Order(StringComparer.Ordinal).ToList(), await NamesAsync(vfs, ""));
        foreach (var name in names) Assert.Equal(name, await ReadTextAsync(vfs, name));
    });

    [Fact]
    public virtual void Names_TooLongOrDotted_CannotBeAPath()
    {
        Assert.Equal(Errno.ENAMETOOLONG, Assert.Throws<VfsException>(() => P(new string('n', VfsPath.MaxSegmentBytes + 1))).Errno);
        Assert.Equal(Errno.EINVAL, Assert.Throws<VfsException>(() => P("a/../b")).Errno);
        Assert.Equal(Errno.EINVAL, Assert.Throws<VfsException>(() => VfsPath.Root.Combine("..")).Errno);
    }

    [Fact]
    public virtual Task StatFs_ReportsUsableNumbers() => WithVfs(async vfs =>
    {
        var statFs = await vfs.StatFsAsync(None);
        Assert.True(statFs.BlockSize > 0);
        Assert.True(statFs.TotalBlocks >= statFs.FreeBlocks);
        Assert.True(statFs.FreeBlocks >= statFs.AvailableBlocks);
        Assert.True(statFs.MaxNameLength >= VfsPath.MaxSegmentBytes);
    });
}
