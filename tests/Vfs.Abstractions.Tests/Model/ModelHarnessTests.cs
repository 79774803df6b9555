using Vfs.Abstractions.Memory;
using Vfs.Testing.Model;
using Xunit.Abstractions;

namespace Vfs.Abstractions.Tests.Model;

public class ModelHarnessTests(ITestOutputHelper output)
{
    [Fact]
    public void Check_MemoryVfsAgainstItself_PassesAndHitsErrorPaths()
    {
        var result = ModelHarness.Check(() => new MemoryVfs(), VfsCapabilities.Posix, new HarnessOptions { MaxTest = 200 });
        output.WriteLine(result.Report);
        Assert.Equal(200, result.Tests);
        // The small name space makes collisions happen: each of these error paths shows up in a normal run.
        foreach (var errno in new[] { "ENOENT", "EEXIST", "EISDIR", "ENOTDIR", "ENOTEMPTY" })
            Assert.True(result.Stats.Errors.GetValueOrDefault(errno) > 0, $"no {errno} in {result.Stats}");
        Assert.True(result.Stats.Skipped < result.Stats.Steps / 4, $"too many skipped steps: {result.Stats}");
    }

    [Fact]
    public void Run_DecoratorLosingAnAppend_FindsShortCounterexample()
    {
        var result = ModelHarness.Run(() => new LosesAppendVfs(new MemoryVfs()), VfsCapabilities.Posix, new HarnessOptions { MaxTest = 1000 });
        output.WriteLine(result.Report);
        Assert.False(result.Passed);
        Assert.NotNull(result.Shrunk);
        Assert.InRange(result.Shrunk!.Count, 1, 8);
        // The concrete run the report prints (closing of handles and the final tree included): no step can go.
        Assert.InRange(result.ShrunkRun!.Steps.Count(s => !s.IsSkipped), 2, 10);
        Assert.NotNull(result.ShrunkRun?.Divergence);
        Assert.Contains("Regression script", result.Report, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_DecoratorRenamingOverNonEmptyDirectory_FindsShortCounterexample()
    {
        var result = ModelHarness.Run(() => new RenameOverNonEmptyDirectoryVfs(new MemoryVfs()), VfsCapabilities.Posix, new HarnessOptions { MaxTest = 1000 });
        output.WriteLine(result.Report);
        Assert.False(result.Passed);
        Assert.InRange(result.Shrunk!.Count, 1, 8);
        // The concrete run the report prints (closing of handles and the final tree included): no step can go.
        Assert.InRange(result.ShrunkRun!.Steps.Count(s => !s.IsSkipped), 2, 10);
        var divergence = result.ShrunkRun!.Divergence!;
        Assert.IsType<RenameOp>(divergence.Op);
        Assert.Equal("ENOTEMPTY", divergence.Expected);
        Assert.Equal("ok", divergence.Actual);
    }

    [Fact]
    public void Run_WithPrintedReplay_ReproducesTheSameCounterexample()
    {
        var options = new HarnessOptions { MaxTest = 1000 };
        var first = ModelHarness.Run(() => new LosesAppendVfs(new MemoryVfs()), VfsCapabilities.Posix, options);
        Assert.False(first.Passed);
        Assert.Contains(first.Replay!, first.Report, StringComparison.Ordinal);

        var again = ModelHarness.Run(() => new LosesAppendVfs(new MemoryVfs()), VfsCapabilities.Posix, options with { Replay = first.Replay });

        Assert.False(again.Passed);
        Assert.Equal(ModelScript.Format(first.Shrunk!), ModelScript.Format(again.Shrunk!));
        Assert.Equal(first.Tests, again.Tests);
    }

    [Fact]
    public void AssertScript_PrintedRegressionScript_ReplaysTheDivergence()
    {
        var result = ModelHarness.Run(() => new RenameOverNonEmptyDirectoryVfs(new MemoryVfs()), VfsCapabilities.Posix, new HarnessOptions { MaxTest = 1000 });
        var script = result.ShrunkRun!.Script;

        var failure = Assert.Throws<ModelCheckException>(() =>
            ModelHarness.AssertScript(() => new RenameOverNonEmptyDirectoryVfs(new MemoryVfs()), VfsCapabilities.Posix, script));
        Assert.Contains("expected (reference):        ENOTEMPTY", failure.Message, StringComparison.Ordinal);
        ModelHarness.AssertScript(() => new MemoryVfs(), VfsCapabilities.Posix, script);
    }

    [Fact]
    public void AssertScript_LostAppend_ShowsTreeDifference()
    {
        const string script = """
            append /a "x"
            append /a "y"   # the second append is the one the broken layer loses
            """;
        var failure = Assert.Throws<ModelCheckException>(() =>
            ModelHarness.AssertScript(() => new LosesAppendVfs(new MemoryVfs()), VfsCapabilities.Posix, script));
        output.WriteLine(failure.Message);
        Assert.Contains("- /a file size=2 mode=0644 \"xy\"", failure.Message, StringComparison.Ordinal);
        Assert.Contains("+ /a file size=1 mode=0644 \"x\"", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_CrashingSut_IsReportedNotThrown()
    {
        Func<IVfs> cannotStart = () => throw new InvalidOperationException("cannot start");
        var result = ModelHarness.Run(cannotStart, VfsCapabilities.Posix, new HarnessOptions { MaxTest = 5 });
        Assert.False(result.Passed);
        Assert.Contains("cannot start", result.Report, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_AfterRunHook_RunsOncePerSequence()
    {
        int created = 0, cleaned = 0;
        var result = ModelHarness.Check(
            () => { created++; return new MemoryVfs(); },
            VfsCapabilities.Posix,
            new HarnessOptions { MaxTest = 20, AfterRun = () => { cleaned++; return ValueTask.CompletedTask; } });
        Assert.Equal(20, result.Tests);
        Assert.Equal(20, created);
        Assert.Equal(created, cleaned);
    }

    [Fact]
    public void Check_AsyncFactory_AwaitsTheSetUp()
    {
        int created = 0;
        var result = ModelHarness.Check(
            async () =>
            {
                await Task.Yield();
                created++;
                return (IVfs)new MemoryVfs();
            },
            VfsCapabilities.Posix,
            new HarnessOptions { MaxTest = 10 });
        Assert.Equal(10, result.Tests);
        Assert.Equal(10, created);
    }

    [Fact]
    public void Validate_BadOptions_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HarnessOptions { MaxTest = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new HarnessOptions { MaxOps = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new HarnessOptions { OperationTimeout = TimeSpan.Zero }.Validate());
        Assert.Throws<ArgumentException>(() => new HarnessOptions { Replay = "not a seed" }.Validate());
    }
}
