using FsCheck.Fluent;
using Vfs.Abstractions.Local;
using Vfs.Abstractions.Memory;
using Vfs.Abstractions.Tests.Local;
using Vfs.Testing.Model;
using Xunit.Abstractions;

namespace Vfs.Abstractions.Tests.Model;

/// <summary>The hooks later layers use: extra operations (restart the stack, change the store behind its back).</summary>
public sealed class ModelExtensionOpsTests(ITestOutputHelper output) : IDisposable
{
    private readonly List<TempDirectory> _directories = [];
    private MemoryVfs? _store;

    private TempDirectory NewDirectory()
    {
        var directory = new TempDirectory();
        _directories.Add(directory);
        return directory;
    }

    private ValueTask DeleteDirectories()
    {
        foreach (var directory in _directories) directory.Dispose();
        _directories.Clear();
        return ValueTask.CompletedTask;
    }

    private static ModelOpGenerator Restart(Func<IVfs, ValueTask<IVfs>> restart) =>
        new(3, Gen.Constant((ModelOp)new RestartSutOp("restart", restart)));

    [Fact]
    public void Check_RestartOverTheSameDirectory_AgreesWithModel()
    {
        string? current = null;
        var restart = Restart(async old =>
        {
            await old.DisposeAsync();
            return new LocalVfs(current!);
        });
        var result = ModelHarness.Check(
            () => new LocalVfs(current = NewDirectory().Path),
            VfsCapabilities.Posix,
            new HarnessOptions { MaxTest = 60, ExtraOps = [restart], AfterRun = DeleteDirectories });
        output.WriteLine(result.Report);
        Assert.True(result.Stats.Steps > 0);
    }

    [Fact]
    public void Run_RestartThatLosesTheStore_IsCaught()
    {
        var restart = Restart(async old =>
        {
            await old.DisposeAsync();
            return new LocalVfs(NewDirectory().Path); // a new, empty store: everything written is gone
        });
        var result = ModelHarness.Run(
            () => new LocalVfs(NewDirectory().Path),
            VfsCapabilities.Posix,
            new HarnessOptions { MaxTest = 300, ExtraOps = [restart], AfterRun = DeleteDirectories });
        output.WriteLine(result.Report);
        Assert.False(result.Passed);
        Assert.InRange(result.Shrunk!.Count, 1, 8);
        // The concrete run the report prints (closing of handles and the final tree included): no step can go.
        Assert.InRange(result.ShrunkRun!.Steps.Count(s => !s.IsSkipped), 2, 10);
        Assert.Contains(result.Shrunk!, op => op is RestartSutOp);
    }

    [Fact]
    public void Check_StaleListingCacheWithoutOutOfBandChanges_AgreesWithModel()
    {
        // The cache is right as long as every change goes through it: the failure below is the out-of-band one.
        ModelHarness.Check(() => new StaleListingCacheVfs(new MemoryVfs()), VfsCapabilities.Posix, new HarnessOptions { MaxTest = 300 });
    }

    [Fact]
    public void Run_StaleListingCacheWithOutOfBandChanges_IsCaught()
    {
        var result = ModelHarness.Run(
            () => new StaleListingCacheVfs(_store = new MemoryVfs()),
            VfsCapabilities.Posix,
            new HarnessOptions
            {
                MaxTest = 1000,
                ExtraOps = [ModelGen.OutOfBand(() => _store!, weight: 20)],
                // Fewer changes through the stack, so that a cached answer lives long enough to meet a change behind it.
                ExcludeKinds = ModelOpKinds.Open | ModelOpKinds.Write | ModelOpKinds.Append | ModelOpKinds.Mkdir | ModelOpKinds.Truncate,
            });
        output.WriteLine(result.Report);
        Assert.False(result.Passed);
        Assert.InRange(result.Shrunk!.Count, 1, 8);
        // The concrete run the report prints (closing of handles and the final tree included): no step can go.
        Assert.InRange(result.ShrunkRun!.Steps.Count(s => !s.IsSkipped), 2, 10);
        Assert.Contains(result.Shrunk!, op => op is OutOfBandOp);
    }

    [Fact]
    public void AssertScript_OutOfBandKeyword_ParsesAndRuns()
    {
        var parse = new Dictionary<string, Func<IReadOnlyList<string>, ModelOp>>([OutOfBandOp.Parser(() => _store!)]);
        var ops = ModelScript.Parse("""
            list /
            outofband mkdir /a
            list /
            """, parse);
        Assert.Equal("outofband mkdir /a", ops[1].ToString());

        var stale = ModelHarness.Replay(() => new StaleListingCacheVfs(_store = new MemoryVfs()), VfsCapabilities.Posix, ops);
        Assert.Equal("list /", stale.Divergence?.Op.ToString());
        Assert.Equal("[a: dir mode=0755]", stale.Divergence?.Expected);
        Assert.Equal("[]", stale.Divergence?.Actual);

        var fresh = ModelHarness.Replay(() => _store = new MemoryVfs(), VfsCapabilities.Posix, ops);
        Assert.True(fresh.Passed, fresh.Trace);
    }

    public void Dispose() => DeleteDirectories();
}
