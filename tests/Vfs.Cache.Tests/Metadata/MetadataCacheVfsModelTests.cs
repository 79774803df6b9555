using FsCheck.Fluent;
using Microsoft.Extensions.Time.Testing;
using Vfs.Abstractions;
using Vfs.Abstractions.Memory;
using Vfs.Cache.Metadata;
using Vfs.Testing.Model;
using Xunit.Abstractions;

namespace Vfs.Cache.Tests.Metadata;

/// <summary>
/// The model harness over MetadataCacheVfs on MemoryVfs: random sequences of every operation, compared step by step
/// with the reference model. Out-of-band changes (made on the store below the cache) must be seen exactly with a
/// TTL of 0, and exactly once the TTL has passed otherwise.
/// </summary>
public sealed class MetadataCacheVfsModelTests(ITestOutputHelper output)
{
    private MemoryVfs? _store;
    private FakeTimeProvider? _time;

    private MetadataCacheVfs NewCache(MetadataCacheOptions options)
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        _store = new MemoryVfs(_time);
        return new MetadataCacheVfs(_store, options, _time);
    }

    /// <summary>Found by the model harness: a failed rename must not move an open handle's name, or its later writes reset the wrong entry.</summary>
    [Fact]
    public void Regression_WriteAfterFailedRename_IsSeenByStat() =>
        ModelHarness.AssertScript(() => NewCache(new MetadataCacheOptions()), VfsCapabilities.Posix, """
            open /d rw,creat
            rename /d /a/d => ENOENT
            chmod /d 0700
            write h0 @0 "c"
            stat /d
            """);

    [Fact]
    public void Check_TtlOfTenSecondsWithoutOutOfBandChanges_AgreesWithModel()
    {
        var result = ModelHarness.Check(() => NewCache(new MetadataCacheOptions()), VfsCapabilities.Posix, new HarnessOptions { MaxTest = 200 });
        output.WriteLine(result.Report);
    }

    [Fact]
    public void Check_TinyCacheWithoutOutOfBandChanges_AgreesWithModel()
    {
        var options = new MetadataCacheOptions { MaxEntries = 6, MaxListingEntries = 3 };
        var result = ModelHarness.Check(() => NewCache(options), VfsCapabilities.Posix, new HarnessOptions { MaxTest = 200 });
        output.WriteLine(result.Report);
    }

    [Fact]
    public void Check_TtlZeroWithOutOfBandChanges_AgreesWithModelExactly()
    {
        var options = new MetadataCacheOptions { Ttl = TimeSpan.Zero };
        var result = ModelHarness.Check(
            () => NewCache(options),
            VfsCapabilities.Posix,
            new HarnessOptions { MaxTest = 200, ExtraOps = [ModelGen.OutOfBand(() => _store!, weight: 12, kinds: AllOutOfBandKinds)] });
        output.WriteLine(result.Report);
    }

    [Fact]
    public void Check_OutOfBandChangesThenTtlPassed_AgreesWithModel()
    {
        var outOfBand = ModelGen.OutOfBand(() => _store!, weight: 12, kinds: AllOutOfBandKinds);
        var thenExpire = new ModelOpGenerator(outOfBand.Weight,
            outOfBand.Generator.Select(op => (ModelOp)new ThenTimePassesOp((OutOfBandOp)op, () => _time!, MetadataCacheOptions.DefaultTtl)));
        var result = ModelHarness.Check(() => NewCache(new MetadataCacheOptions()), VfsCapabilities.Posix,
            new HarnessOptions { MaxTest = 200, ExtraOps = [thenExpire] });
        output.WriteLine(result.Report);
    }

    [Fact]
    public void Run_OutOfBandChangesWithinTtl_AreNotSeen()
    {
        // The other side of the TTL: without the clock moving, another writer's change stays unseen (and the harness shows it).
        // A pinned seed: an unpinned run could, by chance, generate no sequence where a stale answer is visible.
        var result = ModelHarness.Run(
            () => NewCache(new MetadataCacheOptions()),
            VfsCapabilities.Posix,
            new HarnessOptions
            {
                MaxTest = 300,
                ExtraOps = [ModelGen.OutOfBand(() => _store!, weight: 20)],
                Replay = "4864884116828176966,5322494745972380485",
            });
        output.WriteLine(result.Report);
        Assert.False(result.Passed);
        Assert.Contains(result.Shrunk!, op => op is OutOfBandOp);
    }

    private const ModelOpKinds AllOutOfBandKinds = ModelOpKinds.Append | ModelOpKinds.SetSize | ModelOpKinds.Rename | ModelOpKinds.Unlink
        | ModelOpKinds.Mkdir | ModelOpKinds.Rmdir | ModelOpKinds.Chmod | ModelOpKinds.Symlink;

    /// <summary>An out-of-band change, then the cache's TTL passes (the fake clock moves past it).</summary>
    private sealed record ThenTimePassesOp(OutOfBandOp Change, Func<FakeTimeProvider> Time, TimeSpan Ttl) : ModelOp
    {
        public override ModelOp? Resolve(ModelState state) =>
            Change.Resolve(state) is OutOfBandOp resolved ? this with { Change = resolved } : null;

        public override async ValueTask<ModelStep> ExecuteAsync(ModelRun run, CancellationToken cancellationToken)
        {
            var step = await Change.ExecuteAsync(run, cancellationToken);
            Time().Advance(Ttl);
            return step with { Op = this };
        }

        public override IEnumerable<ModelOp> Shrink() => Change.Shrink().Select(c => this with { Change = (OutOfBandOp)c });

        public override string ToString() => $"{Change}; then {Ttl.TotalSeconds:0} s pass";
    }
}
