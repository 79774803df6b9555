using Vfs.Abstractions;
using Vfs.Cache.Metadata;
using static Vfs.Cache.Tests.Metadata.MetadataCacheStack;

namespace Vfs.Cache.Tests.Metadata;

/// <summary>Another writer changes the store (out of band): the cache serves its copy within the TTL, then learns and reports.</summary>
public sealed class MetadataCacheVfsChangeTests
{
    [Fact]
    public async Task TryGetAttrAsync_FileRewrittenOutOfBand_StaleWithinTtlThenModifiedReported()
    {
        await using var stack = new MetadataCacheStack();
        await stack.WriteFile(stack.Store, "f", "one");
        var before = await stack.Lookup("f");
        await stack.WriteFile(stack.Store, "f", "two"); // same size, same mtime on the fake clock: only the ETag differs

        Assert.Same(before, await stack.Lookup("f"));
        Assert.Empty(stack.Changes);
        stack.Expire();
        var after = await stack.Lookup("f");

        var change = Assert.Single(stack.Changes);
        Assert.Equal(new VfsChange(P("f"), VfsChangeKind.Modified, before, after), change);
        Assert.NotEqual(before!.ETag, after!.ETag);
    }

    [Fact]
    public async Task TryGetAttrAsync_UnchangedAfterTtl_ReportsNothing()
    {
        await using var stack = new MetadataCacheStack();
        await stack.WriteFile(stack.Store, "f", "one");
        await stack.Lookup("f");
        stack.Expire();

        await stack.Lookup("f");

        Assert.Empty(stack.Changes);
        Assert.Equal(1, stack.Cache.GetStats().Revalidations);
    }

    [Fact]
    public async Task TryGetAttrAsync_FileDeletedOutOfBand_DeletedReported()
    {
        await using var stack = new MetadataCacheStack();
        await stack.WriteFile(stack.Store, "f", "one");
        var before = await stack.Lookup("f");
        await stack.Store.RemoveAsync(P("f"), CancellationToken.None);
        stack.Expire();

        Assert.Null(await stack.Lookup("f"));

        Assert.Equal(new VfsChange(P("f"), VfsChangeKind.Deleted, before, null), Assert.Single(stack.Changes));
    }

    [Fact]
    public async Task TryGetAttrAsync_NameCreatedOutOfBandAfterNegativeEntry_CreatedReported()
    {
        await using var stack = new MetadataCacheStack();
        Assert.Null(await stack.Lookup("f"));
        await stack.WriteFile(stack.Store, "f", "one");
        stack.Expire();

        var after = await stack.Lookup("f");

        Assert.Equal(new VfsChange(P("f"), VfsChangeKind.Created, null, after), Assert.Single(stack.Changes));
    }

    [Fact]
    public async Task TryGetAttrAsync_FileReplacedByDirectoryOutOfBand_DeletedReported()
    {
        await using var stack = new MetadataCacheStack();
        await stack.WriteFile(stack.Store, "x", "one");
        await stack.Lookup("x");
        await stack.Store.RemoveAsync(P("x"), CancellationToken.None);
        await stack.Store.MkdirAsync(P("x"), VfsCreateOptions.Directory, CancellationToken.None);
        stack.Expire();

        var after = await stack.Lookup("x");

        var change = Assert.Single(stack.Changes);
        Assert.Equal(VfsChangeKind.Deleted, change.Kind);
        Assert.True(change.After!.IsDirectory);
        Assert.Same(after, change.After);
    }

    [Fact]
    public async Task TryGetAttrAsync_DirectoryWithoutETagChangedOutOfBand_ModifiedByMtime()
    {
        await using var stack = new MetadataCacheStack();
        await stack.Store.MkdirAsync(P("d"), VfsCreateOptions.Directory, CancellationToken.None);
        await stack.Lookup("d");
        stack.Expire();
        await stack.WriteFile(stack.Store, "d/new", "moves the directory's mtime");

        await stack.Lookup("d");

        var change = Assert.Single(stack.Changes);
        Assert.Equal(VfsChangeKind.Modified, change.Kind);
        Assert.Null(change.After!.ETag);
    }

    [Fact]
    public async Task ListAsync_RevalidatedAfterOutOfBandChanges_ReportsEachChange()
    {
        await using var stack = new MetadataCacheStack();
        await stack.Store.MkdirAsync(P("d"), VfsCreateOptions.Directory, CancellationToken.None);
        await stack.WriteFile(stack.Store, "d/kept", "same");
        await stack.WriteFile(stack.Store, "d/changed", "old");
        await stack.WriteFile(stack.Store, "d/deleted", "bye");
        await stack.List("d");
        Assert.Null(await stack.Lookup("d/created")); // answered from the listing
        await stack.WriteFile(stack.Store, "d/changed", "new content");
        await stack.Store.RemoveAsync(P("d/deleted"), CancellationToken.None);
        await stack.WriteFile(stack.Store, "d/created", "hello");
        stack.Expire();

        await stack.List("d");

        var changes = stack.Changes.OrderBy(change => change.Path).Select(change => (change.Path.Value, change.Kind)).ToList();
        Assert.Equal([("d/changed", VfsChangeKind.Modified), ("d/deleted", VfsChangeKind.Deleted)], changes);
        Assert.Null(await stack.Lookup("d/deleted")); // the listing marked it absent: no inner call
        Assert.Equal(0, stack.InnerLookups);
        await stack.AssertMatchesStore("d", "d/kept", "d/changed", "d/deleted", "d/created");
    }

    [Fact]
    public async Task ListAsync_RevalidatedWhenANegativeEntryNowExists_ReportsCreated()
    {
        await using var stack = new MetadataCacheStack();
        await stack.Store.MkdirAsync(P("d"), VfsCreateOptions.Directory, CancellationToken.None);
        await stack.Lookup("d");
        Assert.Null(await stack.Lookup("d/new"));
        await stack.WriteFile(stack.Store, "d/new", "hello");
        stack.Expire();

        await stack.List("d");

        Assert.Equal(new VfsChange(P("d/new"), VfsChangeKind.Created, null, await stack.Lookup("d/new")), Assert.Single(stack.Changes));
    }
}
