using Vfs.Abstractions;
using Vfs.Cache.Metadata;
using static Vfs.Cache.Tests.Metadata.MetadataCacheStack;

namespace Vfs.Cache.Tests.Metadata;

public sealed class MetadataCacheVfsLookupTests
{
    [Fact]
    public async Task TryGetAttrAsync_SecondLookupWithinTtl_IsHitWithoutInnerCall()
    {
        await using var stack = new MetadataCacheStack();
        await stack.WriteFile(stack.Store, "a.txt", "hello");

        var first = await stack.Lookup("a.txt");
        stack.Time.Advance(Ttl - TimeSpan.FromMilliseconds(1));
        var second = await stack.Lookup("a.txt");

        Assert.Equal(5, first!.Size);
        Assert.Same(first, second);
        Assert.Equal(1, stack.InnerLookups);
        Assert.Equal(1, stack.Cache.GetStats().Hits);
        Assert.Equal(1, stack.Cache.GetStats().Misses);
    }

    [Fact]
    public async Task TryGetAttrAsync_AtTtl_RevalidatesWithInnerCall()
    {
        await using var stack = new MetadataCacheStack();
        await stack.WriteFile(stack.Store, "a.txt", "hello");

        await stack.Lookup("a.txt");
        stack.Time.Advance(Ttl);
        var again = await stack.Lookup("a.txt");

        Assert.Equal(5, again!.Size);
        Assert.Equal(2, stack.InnerLookups);
        Assert.Equal(1, stack.Cache.GetStats().Revalidations);
        Assert.Empty(stack.Changes);
    }

    [Fact]
    public async Task TryGetAttrAsync_MissingName_IsCachedAsNegativeEntry()
    {
        await using var stack = new MetadataCacheStack();

        Assert.Null(await stack.Lookup("nope"));
        Assert.Null(await stack.Lookup("nope"));
        Assert.Null(await stack.Lookup("nope"));

        Assert.Equal(1, stack.InnerLookups);
        Assert.Equal(2, stack.Cache.GetStats().NegativeHits);
    }

    [Fact]
    public async Task TryGetAttrAsync_NegativeEntryAfterTtl_AsksAgainAndSeesNewFile()
    {
        await using var stack = new MetadataCacheStack();
        Assert.Null(await stack.Lookup("later.txt"));
        await stack.WriteFile(stack.Store, "later.txt", "x");

        Assert.Null(await stack.Lookup("later.txt")); // another writer's file: not seen within the TTL
        stack.Expire();

        Assert.NotNull(await stack.Lookup("later.txt"));
        Assert.Equal(2, stack.InnerLookups);
    }

    [Fact]
    public async Task TryGetAttrAsync_NegativeEntryUnderNameLaterCreatedAsFile_IsNotDirLikeTheStore()
    {
        await using var stack = new MetadataCacheStack();
        Assert.Null(await stack.Lookup("a/x"));

        await stack.WriteFile(stack.Cache, "a", "file");
        await stack.Lookup("a");

        var error = await Assert.ThrowsAsync<VfsException>(async () => await stack.Lookup("a/x"));
        Assert.Equal(Errno.ENOTDIR, error.Errno);
    }

    [Fact]
    public async Task TryGetAttrAsync_NegativeEntryInKnownDirectory_IsServedFromCache()
    {
        await using var stack = new MetadataCacheStack();
        await stack.Store.MkdirAsync(P("d"), VfsCreateOptions.Directory, CancellationToken.None);
        await stack.Lookup("d");
        Assert.Null(await stack.Lookup("d/x"));
        long before = stack.InnerLookups;

        Assert.Null(await stack.Lookup("d/x"));

        Assert.Equal(before, stack.InnerLookups);
    }

    [Fact]
    public async Task TryGetAttrAsync_ErrorFromInner_IsNotCached()
    {
        await using var stack = new MetadataCacheStack();
        await stack.WriteFile(stack.Store, "f", "x");

        await Assert.ThrowsAsync<VfsException>(async () => await stack.Lookup("f/x"));
        await Assert.ThrowsAsync<VfsException>(async () => await stack.Lookup("f/x"));

        Assert.Equal(2, stack.InnerLookups);
    }

    [Fact]
    public async Task TryGetAttrAsync_TtlZero_AlwaysAsksTheInnerLayer()
    {
        await using var stack = new MetadataCacheStack(new MetadataCacheOptions { Ttl = TimeSpan.Zero });
        await stack.WriteFile(stack.Store, "a", "1");

        for (int i = 0; i < 3; i++) await stack.Lookup("a");
        for (int i = 0; i < 3; i++) await stack.Lookup("missing");
        await stack.List("");
        await stack.List("");

        Assert.Equal(6, stack.InnerLookups);
        Assert.Equal(2, stack.InnerListings);
        Assert.Equal(6, stack.Cache.GetStats().InnerLookups);
        Assert.Equal(0, stack.Cache.GetStats().Entries);
    }

    [Fact]
    public async Task TryGetAttrAsync_ConcurrentLookupsOfUncachedName_MakeOneInnerCall()
    {
        await using var stack = new MetadataCacheStack();
        await stack.WriteFile(stack.Store, "a", "12345");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        stack.Counting.BeforeCall = async (_, _) => await gate.Task;

        var lookups = Enumerable.Range(0, 20).Select(_ => stack.Lookup("a").AsTask()).ToList();
        await Task.Delay(20);
        Assert.All(lookups, lookup => Assert.False(lookup.IsCompleted));
        gate.SetResult();
        var answers = await Task.WhenAll(lookups);

        Assert.Equal(1, stack.InnerLookups);
        Assert.All(answers, answer => Assert.Equal(5, answer!.Size));
        Assert.Equal(19, stack.Cache.GetStats().CoalescedLookups);
    }

    [Fact]
    public async Task TryGetAttrAsync_CancelledWaiter_DoesNotCancelTheOthers()
    {
        await using var stack = new MetadataCacheStack();
        await stack.WriteFile(stack.Store, "a", "12345");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        stack.Counting.BeforeCall = async (_, _) => await gate.Task;
        using var cancel = new CancellationTokenSource();

        var cancelled = stack.Cache.TryGetAttrAsync(P("a"), cancel.Token).AsTask();
        var patient = stack.Lookup("a").AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        gate.SetResult();

        Assert.Equal(5, (await patient)!.Size);
        Assert.Equal(1, stack.InnerLookups);
    }

    [Fact]
    public async Task TryGetAttrAsync_AnswerReadBeforeMutationArrivesAfterIt_IsNotStored()
    {
        var held = new HeldAnswerVfs();
        await using var stack = new MetadataCacheStack(wrapInner: inner => held.Wrap(inner));

        // The store answers "absent", but the answer is held back until the mkdir below has returned.
        var stale = stack.Lookup("d").AsTask();
        await held.AnswerRead.Task;
        held.Holding = false;
        await stack.Cache.MkdirAsync(P("d"), VfsCreateOptions.Directory, CancellationToken.None);
        held.Release.SetResult();
        Assert.Null(await stale);

        Assert.True((await stack.Lookup("d"))!.IsDirectory);
    }

    [Theory]
    [InlineData("file")]
    [InlineData("symlink")]
    public async Task TryGetAttrAsync_LookupBelowNameUnderWayWhenNameIsCreated_IsNotJoinedAfterIt(string kind)
    {
        var held = new HeldAnswerVfs();
        await using var stack = new MetadataCacheStack(wrapInner: inner => held.Wrap(inner));

        // A reader's lookup of a/x reads "absent" (a does not exist) and is held; meanwhile a is created as a non-directory.
        var stale = stack.Lookup("a/x").AsTask();
        await held.AnswerRead.Task;
        held.Holding = false;
        if (kind == "file") await stack.WriteFile(stack.Cache, "a", "file");
        else await stack.Cache.SymlinkAsync(P("a"), "target", VfsCreateOptions.File, CancellationToken.None);

        // The creator's own lookup must not join the lookup that read the old namespace.
        var after = stack.Lookup("a/x").AsTask();
        held.Release.SetResult();
        var error = await Assert.ThrowsAsync<VfsException>(async () => await after);
        Assert.Equal(Errno.ENOTDIR, error.Errno);
        Assert.Null(await stale);
        await stack.AssertMatchesStore("a", "a/x");
    }

    /// <summary>Reads the inner answer of the first lookup, then holds it until released.</summary>
    private sealed class HeldAnswerVfs
    {
        public TaskCompletionSource AnswerRead { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public volatile bool Holding = true;

        public IVfs Wrap(IVfs inner) => new Layer(inner, this);

        private sealed class Layer(IVfs inner, HeldAnswerVfs owner) : ForwardingVfs(inner)
        {
            public override async ValueTask<VfsAttributes?> TryGetAttrAsync(VfsPath path, CancellationToken cancellationToken)
            {
                var answer = await Inner.TryGetAttrAsync(path, cancellationToken);
                if (!owner.Holding) return answer;
                owner.AnswerRead.SetResult();
                await owner.Release.Task;
                return answer;
            }
        }
    }

    [Fact]
    public async Task Subscribe_ListenerThrows_LookupStillAnswersAndFailureIsCounted()
    {
        await using var stack = new MetadataCacheStack();
        using var subscription = stack.Cache.Subscribe(new ThrowingListener());
        await stack.WriteFile(stack.Store, "a", "1");
        await stack.Lookup("a");
        stack.Expire();
        await stack.Store.RemoveAsync(P("a"), CancellationToken.None);

        Assert.Null(await stack.Lookup("a"));

        Assert.Equal(1, stack.Cache.GetStats().ListenerFailures);
        Assert.Single(stack.Changes);
    }

    [Fact]
    public async Task Subscribe_Disposed_ListenerIsNoLongerCalled()
    {
        await using var stack = new MetadataCacheStack();
        var listener = new ThrowingListener();
        stack.Cache.Subscribe(listener).Dispose();
        await stack.WriteFile(stack.Store, "a", "1");
        await stack.Lookup("a");
        stack.Expire();
        await stack.Store.RemoveAsync(P("a"), CancellationToken.None);

        await stack.Lookup("a");

        Assert.Equal(0, stack.Cache.GetStats().ListenerFailures);
    }

    private sealed class ThrowingListener : IVfsChangeListener
    {
        public void OnEntryChanged(VfsChange change) => throw new InvalidOperationException("listener bug");
    }
}
