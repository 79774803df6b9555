using Vfs.Abstractions;
using Vfs.Cache.Metadata;
using static Vfs.Cache.Tests.Metadata.MetadataCacheStack;

namespace Vfs.Cache.Tests.Metadata;

public sealed class MetadataCacheVfsSizeTests
{
    [Fact]
    public async Task TryGetAttrAsync_MoreNamesThanMaxEntries_StaysWithinTheLimitAndAnswersRight()
    {
        await using var stack = new MetadataCacheStack(new MetadataCacheOptions { Ttl = Ttl, MaxEntries = 100, MaxListingEntries = 50 });
        for (int i = 0; i < 100; i += 2) await stack.WriteFile(stack.Store, $"f{i}", "x");

        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < 1000; i++)
            {
                var answer = await stack.Lookup($"f{i}");
                Assert.Equal(i < 100 && i % 2 == 0, answer is not null);
                Assert.True(stack.Cache.GetStats().Entries <= 100, $"{stack.Cache.GetStats().Entries} entries");
            }
        }

        Assert.True(stack.Cache.GetStats().Evictions >= 1800);
    }

    [Fact]
    public async Task TryGetAttrAsync_EntryInUse_SurvivesEvictionOfColdOnes()
    {
        await using var stack = new MetadataCacheStack(new MetadataCacheOptions { Ttl = Ttl, MaxEntries = 50, MaxListingEntries = 10 });
        await stack.WriteFile(stack.Store, "hot", "x");

        for (int i = 0; i < 500; i++)
        {
            await stack.Lookup("hot");
            await stack.Lookup($"cold{i}");
        }

        Assert.Equal(1, stack.Counting.Count(Vfs.Testing.Fakes.VfsOperation.GetAttr) - 500);
        Assert.Equal(499, stack.Cache.GetStats().Hits);
    }

    [Fact]
    public async Task ListAsync_HugeListing_DoesNotPushOutEntriesInUse()
    {
        await using var stack = new MetadataCacheStack(new MetadataCacheOptions { Ttl = Ttl, MaxEntries = 100, MaxListingEntries = 50 });
        await stack.WriteFile(stack.Store, "hot", "x");
        await stack.Store.MkdirAsync(P("big"), VfsCreateOptions.Directory, CancellationToken.None);
        for (int i = 0; i < 400; i++) await stack.WriteFile(stack.Store, $"big/f{i}", "x");
        await stack.Lookup("hot");

        int listed = 0;
        await foreach (var _ in stack.Cache.ListAsync(P("big"), CancellationToken.None))
        {
            listed++;
            if (listed % 20 == 0) await stack.Lookup("hot");
        }

        Assert.Equal(400, listed);
        Assert.Equal(1, stack.InnerLookups);
        Assert.True(stack.Cache.GetStats().Entries <= 100);
    }

    [Fact]
    public async Task RenameAsync_DirectoryAfterSomeOfItsEntriesWereEvicted_ResetsTheOthers()
    {
        await using var stack = new MetadataCacheStack(new MetadataCacheOptions { Ttl = Ttl, MaxEntries = 4, MaxListingEntries = 2 });
        await stack.Store.MkdirAsync(P("d"), VfsCreateOptions.Directory, CancellationToken.None);
        await stack.WriteFile(stack.Store, "d/a", "a");
        await stack.WriteFile(stack.Store, "d/b", "b");
        await stack.Lookup("d");
        await stack.Lookup("d");
        await stack.Lookup("d/a");
        await stack.Lookup("d/b");
        await stack.Lookup("d/b");
        await stack.Lookup("x");
        await stack.Lookup("y"); // over the limit: the hand spares d and evicts d/a, the only entry not used twice
        Assert.Equal(1, stack.Cache.GetStats().Evictions);

        await stack.Cache.RenameAsync(P("d"), P("e"), VfsRenameFlags.None, CancellationToken.None);

        await stack.AssertMatchesStore("d", "d/a", "d/b", "e", "e/a", "e/b");
    }
}
