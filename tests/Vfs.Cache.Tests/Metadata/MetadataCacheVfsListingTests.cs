using System.Runtime.CompilerServices;
using Vfs.Abstractions;
using Vfs.Cache.Metadata;
using static Vfs.Cache.Tests.Metadata.MetadataCacheStack;

namespace Vfs.Cache.Tests.Metadata;

public sealed class MetadataCacheVfsListingTests
{
    private static async Task<MetadataCacheStack> StackWithFiles(int count, MetadataCacheOptions? options = null, Func<IVfs, IVfs>? wrapInner = null)
    {
        var stack = new MetadataCacheStack(options, wrapInner);
        await stack.Store.MkdirAsync(P("d"), VfsCreateOptions.Directory, CancellationToken.None);
        for (int i = 0; i < count; i++) await stack.WriteFile(stack.Store, $"d/f{i:D3}", new string('x', i));
        return stack;
    }

    [Fact]
    public async Task ListAsync_Entries_FillAttributesSoLookupsAreHits()
    {
        await using var stack = await StackWithFiles(50);

        var listed = await stack.List("d");
        foreach (var entry in listed) Assert.Equal(entry.Attributes, await stack.Lookup($"d/{entry.Name}"));

        Assert.Equal(50, listed.Count);
        Assert.Equal(0, stack.InnerLookups);
        Assert.Equal(50, stack.Cache.GetStats().Hits);
    }

    [Fact]
    public async Task ListAsync_Complete_AnswersLookupsOfOtherNamesAsAbsent()
    {
        await using var stack = await StackWithFiles(3);
        await stack.List("d");

        Assert.Null(await stack.Lookup("d/.git"));
        Assert.Null(await stack.Lookup("d/f999"));

        Assert.Equal(0, stack.InnerLookups);
        Assert.Equal(2, stack.Cache.GetStats().NegativeHits);
    }

    [Fact]
    public async Task ListAsync_SecondWithinTtl_IsServedFromCacheInTheSameOrder()
    {
        await using var stack = await StackWithFiles(20);

        var first = await stack.List("d");
        var second = await stack.List("d");

        Assert.Equal(first, second);
        Assert.Equal(1, stack.InnerListings);
        Assert.Equal(1, stack.Cache.GetStats().ListingHits);
    }

    [Fact]
    public async Task ListAsync_AfterTtl_AsksAgainAndShowsOtherWritersChanges()
    {
        await using var stack = await StackWithFiles(2);
        await stack.List("d");
        await stack.WriteFile(stack.Store, "d/added", "new");

        Assert.Equal(2, (await stack.List("d")).Count);
        stack.Expire();

        Assert.Equal(3, (await stack.List("d")).Count);
        Assert.NotNull(await stack.Lookup("d/added"));
        Assert.Equal(2, stack.InnerListings);
    }

    [Fact]
    public async Task ListAsync_MoreNamesThanMaxListingEntries_StreamsAllAndKeepsOnlyTheAttributes()
    {
        var options = new MetadataCacheOptions { Ttl = Ttl, MaxEntries = 1000, MaxListingEntries = 10 };
        await using var stack = await StackWithFiles(30, options);

        Assert.Equal(30, (await stack.List("d")).Count);
        Assert.Equal(30, (await stack.List("d")).Count);
        await stack.Lookup("d/f029");

        Assert.Equal(2, stack.InnerListings);
        Assert.Equal(0, stack.InnerLookups);
        Assert.True(stack.Cache.GetStats().Entries < 40, "the listing itself is not held");
    }

    [Fact]
    public async Task ListAsync_AtMaxListingEntries_IsKept()
    {
        var options = new MetadataCacheOptions { Ttl = Ttl, MaxEntries = 1000, MaxListingEntries = 10 };
        await using var stack = await StackWithFiles(10, options);

        await stack.List("d");
        await stack.List("d");

        Assert.Equal(1, stack.InnerListings);
    }

    [Fact]
    public async Task ListAsync_StoppedEarly_IsNotKept()
    {
        await using var stack = await StackWithFiles(10);

        await foreach (var _ in stack.Cache.ListAsync(P("d"), CancellationToken.None)) break;
        var full = await stack.List("d");

        Assert.Equal(10, full.Count);
        Assert.Equal(2, stack.InnerListings);
    }

    [Fact]
    public async Task ListAsync_InnerStillListing_EntriesArriveAsTheyAreListed()
    {
        var paused = new PausingListVfs();
        await using var stack = await StackWithFiles(5, wrapInner: paused.Wrap);
        await using var listing = stack.Cache.ListAsync(P("d"), CancellationToken.None).GetAsyncEnumerator();

        Assert.True(await listing.MoveNextAsync()); // the inner listing is paused after its first entry
        Assert.False(paused.Resume.Task.IsCompleted);
        paused.Resume.SetResult();
        int count = 1;
        while (await listing.MoveNextAsync()) count++;

        Assert.Equal(5, count);
    }

    [Fact]
    public async Task ListAsync_DirectoryChangedWhileListing_ListingIsNotKept()
    {
        await using var stack = await StackWithFiles(3);

        await foreach (var entry in stack.Cache.ListAsync(P("d"), CancellationToken.None))
        {
            if (entry.Name == "f000") await stack.WriteFile(stack.Cache, "d/zzz", "written during the listing");
        }
        var after = await stack.List("d");

        Assert.Contains(after, entry => entry.Name == "zzz");
        await stack.AssertMatchesStore("d", "d/zzz", "d/f000", "d/f002");
    }

    [Fact]
    public async Task ListAsync_TtlZero_StreamsFromTheInnerLayerEveryTime()
    {
        await using var stack = await StackWithFiles(3, new MetadataCacheOptions { Ttl = TimeSpan.Zero });

        await stack.List("d");
        await stack.List("d");
        await stack.Lookup("d/f000");

        Assert.Equal(2, stack.InnerListings);
        Assert.Equal(1, stack.InnerLookups);
    }

    /// <summary>Pauses every listing after its first entry until <see cref="Resume"/> completes.</summary>
    private sealed class PausingListVfs
    {
        public TaskCompletionSource Resume { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IVfs Wrap(IVfs inner) => new Layer(inner, this);

        private sealed class Layer(IVfs inner, PausingListVfs owner) : ForwardingVfs(inner)
        {
            public override async IAsyncEnumerable<VfsEntry> ListAsync(VfsPath path, [EnumeratorCancellation] CancellationToken cancellationToken)
            {
                bool first = true;
                await foreach (var entry in Inner.ListAsync(path, cancellationToken))
                {
                    yield return entry;
                    if (first) await owner.Resume.Task;
                    first = false;
                }
            }
        }
    }
}
