using Vfs.Abstractions;

namespace Vfs.Fuse.Tests;

public sealed class InodeTableTests
{
    private static VfsPath P(string path) => VfsPath.Parse(path);

    [Fact]
    public void Remember_SamePathTwice_SameInodeNewPathNewInode()
    {
        var table = new InodeTable();
        ulong a = table.Remember(P("a"));
        Assert.Equal(a, table.Remember(P("a")));
        Assert.NotEqual(a, table.Remember(P("b")));
        Assert.NotEqual(InodeTable.RootIno, a);
    }

    [Fact]
    public void Forget_AllLookups_InodeGoneAndNumberNotReused()
    {
        var table = new InodeTable();
        ulong a = table.Remember(P("a"));
        table.Remember(P("a"));
        table.Forget(a, 1);
        Assert.True(table.TryGetPath(a, out _));
        table.Forget(a, 1);
        Assert.False(table.IsKnown(a));
        Assert.NotEqual(a, table.Remember(P("a")));
    }

    [Fact]
    public void Forget_Root_RootStays()
    {
        var table = new InodeTable();
        table.Forget(InodeTable.RootIno, 100);
        Assert.True(table.TryGetPath(InodeTable.RootIno, out var path));
        Assert.True(path.IsRoot);
    }

    [Fact]
    public void Rename_Directory_MovesWholeSubtree()
    {
        var table = new InodeTable();
        ulong dir = table.Remember(P("d"));
        ulong leaf = table.Remember(P("d/e/f"));
        ulong sibling = table.Remember(P("dd"));
        table.Rename(P("d"), P("x/y"), exchange: false);
        Assert.True(table.TryGetPath(dir, out var dirPath));
        Assert.Equal(P("x/y"), dirPath);
        Assert.True(table.TryGetPath(leaf, out var leafPath));
        Assert.Equal(P("x/y/e/f"), leafPath);
        Assert.True(table.TryGetPath(sibling, out var siblingPath));
        Assert.Equal(P("dd"), siblingPath);
        Assert.False(table.TryGetIno(P("d/e/f"), out _));
    }

    [Fact]
    public void Rename_OverExistingTarget_TargetDetachedButKnownUntilForget()
    {
        var table = new InodeTable();
        ulong source = table.Remember(P("a"));
        ulong target = table.Remember(P("b"));
        table.Rename(P("a"), P("b"), exchange: false);
        Assert.True(table.TryGetIno(P("b"), out var now));
        Assert.Equal(source, now);
        Assert.False(table.TryGetPath(target, out _));
        Assert.True(table.IsKnown(target));
        table.Forget(target, 1);
        Assert.False(table.IsKnown(target));
        Assert.True(table.TryGetIno(P("b"), out now));
        Assert.Equal(source, now);
    }

    [Fact]
    public void Rename_Exchange_SwapsBothSubtrees()
    {
        var table = new InodeTable();
        ulong a = table.Remember(P("a"));
        ulong aChild = table.Remember(P("a/c"));
        ulong b = table.Remember(P("b"));
        table.Rename(P("a"), P("b"), exchange: true);
        Assert.True(table.TryGetIno(P("b"), out var atB));
        Assert.Equal(a, atB);
        Assert.True(table.TryGetIno(P("b/c"), out var atBc));
        Assert.Equal(aChild, atBc);
        Assert.True(table.TryGetIno(P("a"), out var atA));
        Assert.Equal(b, atA);
    }

    [Fact]
    public void Detach_Unlinked_NameFreeForANewInode()
    {
        var table = new InodeTable();
        ulong old = table.Remember(P("f"));
        table.Detach(P("f"));
        Assert.False(table.TryGetPath(old, out _));
        ulong fresh = table.Remember(P("f"));
        Assert.NotEqual(old, fresh);
        table.Forget(old, 1);
        Assert.True(table.TryGetIno(P("f"), out var now));
        Assert.Equal(fresh, now);
    }

    [Fact]
    public void OpenedUnchanged_SameVersionTwice_TrueOnlyTheSecondTime()
    {
        var table = new InodeTable();
        ulong f = table.Remember(P("f"));
        Assert.False(table.OpenedUnchanged(f, 10, 5));
        Assert.True(table.OpenedUnchanged(f, 10, 5));
        Assert.False(table.OpenedUnchanged(f, 11, 5));
    }
}
