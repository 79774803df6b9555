using System.Text;
using Vfs.Abstractions;
using static Vfs.Cache.Tests.Metadata.MetadataCacheStack;

namespace Vfs.Cache.Tests.Metadata;

/// <summary>
/// Each mutation made through the cache is seen at once, whatever the TTL: after priming the cache with every path
/// and listing, the mutation runs (a second after priming, so mtimes move) and every path must match the store
/// while the clock stays inside the TTL.
/// </summary>
public sealed class MetadataCacheVfsInvalidationTests
{
    private static readonly string[] Paths =
    [
        "", "top", "d", "d/a", "d/b", "d/c", "d/new", "d/newdir", "d/link", "d/empty", "d/sub", "d/sub/x",
        "d/sub2", "d/sub2/x", "d/a/x", "top/x", "d/new/x",
    ];

    public static TheoryData<string> Mutations =>
    [
        "mkdir", "mkdir-existing", "create", "create-exclusive-existing", "open-truncate", "write-open-handle",
        "write-flush", "write-close", "truncate-handle", "append-handle", "rename-file", "rename-file-over-other-dir",
        "rename-directory", "rename-exchange", "rename-noreplace-existing", "unlink", "unlink-missing", "rmdir",
        "rmdir-not-empty", "setattr-mode", "setattr-size", "setattr-times", "symlink",
    ];

    [Theory]
    [MemberData(nameof(Mutations))]
    public async Task Mutation_ThroughCacheWithinTtl_IsSeenAtOnce(string mutation)
    {
        await using var stack = await PrimedStack();
        long innerLookupsBefore = stack.InnerLookups;

        await Mutate(stack, mutation);
        await stack.AssertMatchesStore(Paths);

        Assert.True(stack.InnerLookups > innerLookupsBefore, "the mutation should have reset something");
        Assert.Empty(stack.Changes); // the mount's own changes are not reported as news
    }

    [Fact]
    public async Task Mutation_UntouchedEntries_StayCached()
    {
        await using var stack = await PrimedStack();
        await stack.Cache.MkdirAsync(P("d/newdir"), VfsCreateOptions.Directory, CancellationToken.None);
        long before = stack.InnerLookups;

        await stack.Lookup("top");
        await stack.Lookup("d/sub/x");
        await stack.Lookup("d/b");

        Assert.Equal(before, stack.InnerLookups);
    }

    [Fact]
    public async Task WriteAsync_HandleRenamedWhileOpen_ResetsTheNewName()
    {
        await using var stack = await PrimedStack();
        var file = await stack.Cache.OpenAsync(P("d/a"), VfsOpenFlags.Write, VfsCreateOptions.File, CancellationToken.None);
        await using (file)
        {
            await stack.Cache.RenameAsync(P("d/a"), P("d/c"), VfsRenameFlags.None, CancellationToken.None);
            await stack.Lookup("d/c");
            stack.Time.Advance(TimeSpan.FromSeconds(1));

            await file.WriteAsync(0, Encoding.UTF8.GetBytes("much longer content"), CancellationToken.None);

            await stack.AssertMatchesStore("d", "d/a", "d/c");
            Assert.Equal(19, (await stack.Lookup("d/c"))!.Size);
        }
    }

    [Fact]
    public async Task RenameAsync_DirectoryWithOpenFileBelow_ResetsTheMovedFile()
    {
        await using var stack = await PrimedStack();
        var file = await stack.Cache.OpenAsync(P("d/sub/x"), VfsOpenFlags.Write, VfsCreateOptions.File, CancellationToken.None);
        await using (file)
        {
            await stack.Cache.RenameAsync(P("d/sub"), P("d/sub2"), VfsRenameFlags.None, CancellationToken.None);
            await stack.Lookup("d/sub2/x");
            stack.Time.Advance(TimeSpan.FromSeconds(1));

            await file.TruncateAsync(1000, CancellationToken.None);

            Assert.Equal(1000, (await stack.Lookup("d/sub2/x"))!.Size);
        }
    }

    [Fact]
    public async Task WriteAsync_AfterFailedRenameOfAnAncestor_ResetsTheUnmovedName()
    {
        // Found by the model harness: a failed rename (EINVAL, into itself) must not move the open handle's name.
        await using var stack = await PrimedStack();
        var file = await stack.Cache.OpenAsync(P("d/sub/x"), VfsOpenFlags.Write, VfsCreateOptions.File, CancellationToken.None);
        await using (file)
        {
            await Assert.ThrowsAsync<VfsException>(async () =>
                await stack.Cache.RenameAsync(P("d/sub"), P("d/sub/inner"), VfsRenameFlags.None, CancellationToken.None));
            await stack.List("d/sub");

            await file.WriteAsync(0, Encoding.UTF8.GetBytes("longer than before"), CancellationToken.None);

            await stack.AssertMatchesStore("d/sub", "d/sub/x");
        }
    }

    private static async Task<MetadataCacheStack> PrimedStack()
    {
        var stack = new MetadataCacheStack();
        var store = stack.Store;
        var none = CancellationToken.None;
        await stack.WriteFile(store, "top", "top file");
        await store.MkdirAsync(P("d"), VfsCreateOptions.Directory, none);
        await stack.WriteFile(store, "d/a", "aaa");
        await stack.WriteFile(store, "d/b", "bbbb");
        await store.MkdirAsync(P("d/empty"), VfsCreateOptions.Directory, none);
        await store.MkdirAsync(P("d/sub"), VfsCreateOptions.Directory, none);
        await stack.WriteFile(store, "d/sub/x", "xx");
        // Prime: every path looked up (absent ones become negative entries), every directory listed.
        foreach (var path in Paths)
        {
            try
            {
                await stack.Lookup(path);
            }
            catch (VfsException error) when (error.Errno == Errno.ENOTDIR)
            {
                // a/x below a file: the store's answer, not cached
            }
        }
        foreach (var directory in new[] { "", "d", "d/sub", "d/empty" }) await stack.List(directory);
        stack.Time.Advance(TimeSpan.FromSeconds(1));
        return stack;
    }

    private static async Task Mutate(MetadataCacheStack stack, string mutation)
    {
        var cache = stack.Cache;
        var none = CancellationToken.None;
        var bytes = Encoding.UTF8.GetBytes("new content, longer");
        switch (mutation)
        {
            case "mkdir":
                await cache.MkdirAsync(P("d/newdir"), VfsCreateOptions.Directory, none);
                break;
            case "mkdir-existing":
                await Assert.ThrowsAsync<VfsException>(async () => await cache.MkdirAsync(P("d/a"), VfsCreateOptions.Directory, none));
                break;
            case "create":
                await (await cache.OpenAsync(P("d/new"), VfsOpenFlags.Write | VfsOpenFlags.Create, VfsCreateOptions.File, none)).DisposeAsync();
                break;
            case "create-exclusive-existing":
                await Assert.ThrowsAsync<VfsException>(async () =>
                    await cache.OpenAsync(P("d/a"), VfsOpenFlags.Write | VfsOpenFlags.Create | VfsOpenFlags.Exclusive, VfsCreateOptions.File, none));
                break;
            case "open-truncate":
            {
                var file = await cache.OpenAsync(P("d/a"), VfsOpenFlags.Write | VfsOpenFlags.Truncate, default, none);
                await stack.AssertMatchesStore(Paths); // before close: the open itself changed the size
                await file.DisposeAsync();
                break;
            }
            case "write-open-handle":
            {
                var file = await cache.OpenAsync(P("d/a"), VfsOpenFlags.ReadWrite, default, none);
                await stack.Lookup("d/a"); // looked up again while open: a stale size must not stick
                await file.WriteAsync(0, bytes, none);
                await stack.AssertMatchesStore(Paths);
                await file.DisposeAsync();
                break;
            }
            case "write-flush":
            {
                var file = await cache.OpenAsync(P("d/a"), VfsOpenFlags.Write, default, none);
                await file.WriteAsync(3, bytes, none);
                await stack.Lookup("d/a");
                stack.Time.Advance(TimeSpan.FromSeconds(1));
                await file.FlushAsync(none);
                await stack.AssertMatchesStore(Paths);
                await file.DisposeAsync();
                break;
            }
            case "write-close":
                await stack.WriteFile(cache, "d/a", "replaced entirely");
                break;
            case "truncate-handle":
            {
                var file = await cache.OpenAsync(P("d/a"), VfsOpenFlags.Write, default, none);
                await file.TruncateAsync(1, none);
                await stack.AssertMatchesStore(Paths);
                await file.DisposeAsync();
                break;
            }
            case "append-handle":
            {
                var file = await cache.OpenAsync(P("d/b"), VfsOpenFlags.Write | VfsOpenFlags.Append, default, none);
                await file.WriteAsync(0, bytes, none);
                await file.DisposeAsync();
                break;
            }
            case "rename-file":
                await cache.RenameAsync(P("d/a"), P("d/c"), VfsRenameFlags.None, none);
                break;
            case "rename-file-over-other-dir":
                await cache.RenameAsync(P("d/a"), P("top"), VfsRenameFlags.None, none);
                break;
            case "rename-directory":
                await cache.RenameAsync(P("d/sub"), P("d/sub2"), VfsRenameFlags.None, none);
                break;
            case "rename-exchange":
                await cache.RenameAsync(P("d/a"), P("d/sub"), VfsRenameFlags.Exchange, none);
                break;
            case "rename-noreplace-existing":
                await Assert.ThrowsAsync<VfsException>(async () => await cache.RenameAsync(P("d/a"), P("d/b"), VfsRenameFlags.NoReplace, none));
                break;
            case "unlink":
                await cache.RemoveAsync(P("d/a"), none);
                break;
            case "unlink-missing":
                await Assert.ThrowsAsync<VfsException>(async () => await cache.RemoveAsync(P("d/new"), none));
                break;
            case "rmdir":
                await cache.RmdirAsync(P("d/empty"), none);
                break;
            case "rmdir-not-empty":
                await Assert.ThrowsAsync<VfsException>(async () => await cache.RmdirAsync(P("d/sub"), none));
                break;
            case "setattr-mode":
                await cache.SetAttrAsync(P("d/a"), new VfsAttributeChanges { Mode = 0b110_000_000 }, none);
                break;
            case "setattr-size":
                await cache.SetAttrAsync(P("d/a"), new VfsAttributeChanges { Size = 4096 }, none);
                break;
            case "setattr-times":
                await cache.SetAttrAsync(P("d/sub"), new VfsAttributeChanges { ModifiedTime = DateTimeOffset.UnixEpoch }, none);
                break;
            case "symlink":
                await cache.SymlinkAsync(P("d/link"), "a", VfsCreateOptions.File, none);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(mutation), mutation, "unknown mutation");
        }
    }
}
