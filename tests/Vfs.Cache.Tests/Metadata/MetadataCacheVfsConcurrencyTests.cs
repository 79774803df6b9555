using System.Runtime.CompilerServices;
using System.Text;
using Vfs.Abstractions;
using Vfs.Cache.Metadata;
using static Vfs.Cache.Tests.Metadata.MetadataCacheStack;

namespace Vfs.Cache.Tests.Metadata;

/// <summary>
/// Writers each own a directory and mutate only inside it through the cache; readers look up and list the whole tree
/// at the same time. Right after each of its mutations a writer checks that the cache answers exactly what the store
/// holds for everything it owns: a reader's lookup or listing that read the old state and stored it after the
/// mutation's reset would show here. The inner layer yields between reading an answer and returning it, where those
/// races live.
/// </summary>
public sealed class MetadataCacheVfsConcurrencyTests
{
    private static readonly string[] OwnNames = ["a", "b", "c", "s", "s/a", "s/b"];

    [Theory]
    [InlineData(100_000, 1)]
    [InlineData(100_000, 2)]
    [InlineData(16, 3)]
    public async Task Operations_ReadersRaceWriters_WriterAlwaysSeesItsOwnChanges(int maxEntries, int seed)
    {
        var options = new MetadataCacheOptions { Ttl = TimeSpan.FromHours(1), MaxEntries = maxEntries, MaxListingEntries = maxEntries / 2 };
        await using var stack = new MetadataCacheStack(options, inner => new SlowAnswersVfs(inner));
        const int writers = 3;
        for (int w = 0; w < writers; w++) await stack.Store.MkdirAsync(P($"w{w}"), VfsCreateOptions.Directory, CancellationToken.None);
        string[] everything = ["", .. Enumerable.Range(0, writers).SelectMany(w => (string[])[$"w{w}", .. OwnNames.Select(name => $"w{w}/{name}")])];
        using var stop = new CancellationTokenSource();

        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() => Read(stack, everything, new Random(seed * 10 + r), stop.Token))).ToList();
        var writing = Enumerable.Range(0, writers).Select(w => Task.Run(() => Write(stack, $"w{w}", new Random(seed * 100 + w), 150))).ToList();
        try
        {
            await Task.WhenAll(writing);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(readers);
        }
        await stack.AssertMatchesStore(everything);
    }

    private static async Task Read(MetadataCacheStack stack, string[] paths, Random random, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var path = P(paths[random.Next(paths.Length)]);
            try
            {
                if (random.Next(3) == 0)
                {
                    await foreach (var _ in stack.Cache.ListAsync(path, CancellationToken.None)) { }
                }
                else
                {
                    await stack.Cache.TryGetAttrAsync(path, CancellationToken.None);
                }
            }
            catch (VfsException)
            {
                // listing a file or a missing directory
            }
        }
    }

    private static async Task Write(MetadataCacheStack stack, string root, Random random, int steps)
    {
        var cache = stack.Cache;
        var none = CancellationToken.None;
        string[] own = [root, .. OwnNames.Select(name => $"{root}/{name}")];
        for (int i = 0; i < steps; i++)
        {
            var path = P($"{root}/{OwnNames[random.Next(OwnNames.Length)]}");
            var other = P($"{root}/{OwnNames[random.Next(OwnNames.Length)]}");
            try
            {
                switch (random.Next(7))
                {
                    case 0:
                        await cache.WriteAllBytesAsync(path, Encoding.UTF8.GetBytes(new string('x', random.Next(20))), none);
                        break;
                    case 1:
                        await cache.RemoveAsync(path, none);
                        break;
                    case 2:
                        await cache.MkdirAsync(path, VfsCreateOptions.Directory, none);
                        break;
                    case 3:
                        await cache.RmdirAsync(path, none);
                        break;
                    case 4:
                        await cache.RenameAsync(path, other, VfsRenameFlags.None, none);
                        break;
                    case 5:
                        await cache.SymlinkAsync(path, "target", VfsCreateOptions.File, none);
                        break;
                    default:
                        await cache.SetAttrAsync(path, new VfsAttributeChanges { Mode = random.Next(0b111_111_111) }, none);
                        break;
                }
            }
            catch (VfsException)
            {
                // ENOENT, EEXIST, ENOTEMPTY... are answers too
            }
            stack.Time.Advance(TimeSpan.FromMilliseconds(1)); // mtimes move, far inside the TTL
            await stack.AssertMatchesStore(own);
        }
    }

    /// <summary>Lets other threads run between reading an answer and returning it (the timing varies on purpose: the check is deterministic, the interleaving is not).</summary>
    private sealed class SlowAnswersVfs(IVfs inner) : ForwardingVfs(inner)
    {
        public override async ValueTask<VfsAttributes?> TryGetAttrAsync(VfsPath path, CancellationToken cancellationToken)
        {
            var answer = await Inner.TryGetAttrAsync(path, cancellationToken);
            // Mostly a yield; now and then long enough for a writer to mutate and check meanwhile.
            if (Random.Shared.Next(8) == 0) await Task.Delay(1, cancellationToken);
            else await Task.Yield();
            return answer;
        }

        public override async IAsyncEnumerable<VfsEntry> ListAsync(VfsPath path, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var entry in Inner.ListAsync(path, cancellationToken))
            {
                await Task.Yield();
                yield return entry;
            }
        }
    }
}
