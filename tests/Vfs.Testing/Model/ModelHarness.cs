using System.Diagnostics;
using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using Vfs.Abstractions;
using Vfs.Abstractions.Memory;

namespace Vfs.Testing.Model;

/// <summary>
/// The model-based test harness: FsCheck generates operation sequences (<see cref="ModelGen"/>), each runs against
/// a fresh system under test and a fresh reference model (<see cref="ModelRun"/>), every outcome is compared, and a
/// failing sequence shrinks to a short one, which is run once more and printed with its first divergence, the
/// replay seed and a script to paste into a named regression test.
/// </summary>
/// <example>
/// <code>
/// ModelHarness.Check(() => new LocalVfs(NewTempDir()), VfsCapabilities.Posix, new HarnessOptions { MaxTest = 300 });
/// ModelHarness.AssertScript(() => new LocalVfs(NewTempDir()), VfsCapabilities.Posix, "mkdir /a\nrename /a /a/b");
/// </code>
/// </example>
public static class ModelHarness
{
    /// <summary>Runs the check and throws <see cref="ModelCheckException"/> with the report when it fails.</summary>
    public static ModelCheckResult Check(Func<IVfs> createSut, VfsCapabilities capabilities, HarnessOptions? options = null)
    {
        var result = Run(createSut, capabilities, options);
        if (!result.Passed) throw new ModelCheckException(result.Report);
        return result;
    }

    /// <summary>Runs up to <see cref="HarnessOptions.MaxTest"/> sequences; a failure is shrunk and reported, not thrown.</summary>
    public static ModelCheckResult Run(Func<IVfs> createSut, VfsCapabilities capabilities, HarnessOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(createSut);
        options ??= HarnessOptions.Default;
        options.Validate();
        var policy = CreatePolicy(capabilities, options);
        var op = ModelGen.Op(policy.Kinds & ~options.ExcludeKinds, options.ExtraOps);
        var stats = new ModelStats();

        var property = Prop.ForAll(ModelGen.Arbitrary(op, options.MaxOps), (ModelOp[] ops) =>
        {
            var report = RunSequence(createSut, policy, options, ops);
            if (report.Passed) stats.Add(report);
            return report.Passed;
        });

        var runner = new CapturingRunner();
        var config = Config.Quick
            .WithMaxTest(options.MaxTest)
            .WithEndSize(options.MaxOps)
            .WithQuietOnSuccess(true)
            .WithRunner(runner);
        if (options.Replay is not null)
            config = config.WithReplay(FSharpOption<Replay>.Some(new Replay(ParseReplay(options.Replay), FSharpOption<int>.None)));

        var clock = Stopwatch.StartNew();
        FsCheck.Check.One(config, property);
        clock.Stop();

        switch (runner.Result)
        {
            case TestResult.Passed passed:
                return new ModelCheckResult
                {
                    Passed = true,
                    Tests = passed.Item1.NumberOfTests,
                    Stats = stats,
                    Elapsed = clock.Elapsed,
                    Report = $"passed {passed.Item1.NumberOfTests} sequences in {clock.Elapsed.TotalSeconds:0.0} s: {stats}",
                };
            case TestResult.Failed failed:
                var original = ArgsOf(failed.Item2);
                var shrunk = ArgsOf(failed.Item3);
                var replay = string.Create(CultureInfo.InvariantCulture, $"{failed.Item5.Seed},{failed.Item5.Gamma}");
                var rerun = RunSequence(createSut, policy, options, shrunk ?? []);
                return new ModelCheckResult
                {
                    Passed = false,
                    Tests = failed.Item1.NumberOfTests,
                    Shrinks = failed.Item1.NumberOfShrinks,
                    Replay = replay,
                    Original = original,
                    Shrunk = shrunk,
                    ShrunkRun = rerun,
                    Stats = stats,
                    Elapsed = clock.Elapsed,
                    Report = FailureReport(failed, original, shrunk, rerun, replay, failed.Item4),
                };
            default:
                return new ModelCheckResult
                {
                    Passed = false,
                    Tests = 0,
                    Stats = stats,
                    Elapsed = clock.Elapsed,
                    Report = $"the model check did not finish: {runner.Result?.ToString() ?? "no result"}",
                };
        }
    }

    /// <summary>Runs one given sequence (generated or concrete) against a fresh system and reference, traced.</summary>
    public static ModelRunReport Replay(Func<IVfs> createSut, VfsCapabilities capabilities, IEnumerable<ModelOp> ops, HarnessOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(createSut);
        ArgumentNullException.ThrowIfNull(ops);
        options ??= HarnessOptions.Default;
        options.Validate();
        return RunSequence(createSut, CreatePolicy(capabilities, options), options, [.. ops]);
    }

    /// <summary>
    /// A named regression test: runs <paramref name="script"/> and throws with the trace if the system differs from
    /// the reference, or if the reference does not give an outcome a line announces (<c>=&gt; outcome</c>).
    /// </summary>
    public static ModelRunReport AssertScript(Func<IVfs> createSut, VfsCapabilities capabilities, string script, HarnessOptions? options = null,
        IReadOnlyDictionary<string, Func<IReadOnlyList<string>, ModelOp>>? extensions = null)
    {
        var lines = ModelScript.ParseAnnotated(script, extensions);
        var report = Replay(createSut, capabilities, lines.Select(l => l.Op), options);
        if (!report.Passed) throw new ModelCheckException("the script diverged from the reference model:\n" + report.Trace);
        for (int i = 0; i < lines.Count; i++)
        {
            if (lines[i].Expected is not { } announced || report.Steps[i].Expected == announced) continue;
            throw new ModelCheckException(
                $"step #{i} {report.Steps[i].Op}: the script announces '{announced}', the reference gave '{report.Steps[i].Expected}'\n" + report.Trace);
        }
        return report;
    }

    public static Rnd ParseReplay(string replay)
    {
        ArgumentNullException.ThrowIfNull(replay);
        var parts = replay.Split(',');
        if (parts.Length != 2
            || !ulong.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seed)
            || !ulong.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var gamma))
            throw new ArgumentException($"a replay string is \"seed,gamma\" as a failure prints it, not '{replay}'", nameof(replay));
        return new Rnd(seed, gamma);
    }

    private static ModelPolicy CreatePolicy(VfsCapabilities capabilities, HarnessOptions options) =>
        options.Policy?.Invoke(capabilities) ?? new ModelPolicy(capabilities);

    private static Func<IVfs> ReferenceFactory(HarnessOptions options) => options.CreateReference ?? (() => new MemoryVfs());

    /// <summary>One sequence on fresh filesystems, off the caller's synchronization context; cleanup always runs.</summary>
    private static ModelRunReport RunSequence(Func<IVfs> createSut, ModelPolicy policy, HarnessOptions options, ModelOp[] ops) =>
        Task.Run(async () =>
        {
            ModelRun? run = null;
            try
            {
                var reference = ReferenceFactory(options)();
                IVfs sut;
                try
                {
                    sut = createSut();
                }
                catch
                {
                    await reference.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
                run = new ModelRun(reference, sut, policy, options.OperationTimeout);
                await run.RunAsync(ops, CancellationToken.None).ConfigureAwait(false);
                return new ModelRunReport(ops, [.. run.Steps], run.Divergence, null);
            }
            catch (Exception e)
            {
                return new ModelRunReport(ops, run is null ? [] : [.. run.Steps], run?.Divergence, e);
            }
            finally
            {
                if (run is not null) await run.DisposeAsync().ConfigureAwait(false);
                if (options.AfterRun is not null) await options.AfterRun().ConfigureAwait(false);
            }
        }).GetAwaiter().GetResult();

    private static ModelOp[]? ArgsOf(FSharpList<object> args) => args.IsEmpty ? null : args.Head as ModelOp[];

    private static string FailureReport(TestResult.Failed failed, ModelOp[]? original, ModelOp[]? shrunk, ModelRunReport rerun, string replay, Outcome outcome)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Model check failed after {failed.Item1.NumberOfTests} sequences and {failed.Item1.NumberOfShrinks} shrinks.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Replay with HarnessOptions.Replay = \"{replay}\".");
        text.AppendLine(CultureInfo.InvariantCulture, $"Shrunk from {original?.Length} to {shrunk?.Length} operations; the shrunk run, concrete ('--' = skipped):");
        text.Append(rerun.Trace);
        if (rerun.Passed)
            text.AppendLine($"The shrunk sequence PASSED when run again: the failure is not deterministic. FsCheck said: {outcome}");
        text.AppendLine("Regression script (paste into a named test with ModelHarness.AssertScript):");
        foreach (var line in rerun.Script.Split('\n')) text.AppendLine("  " + line);
        text.AppendLine("Shrunk sequence as generated:");
        foreach (var op in shrunk ?? []) text.AppendLine("  " + op);
        return text.ToString();
    }

    /// <summary>Keeps FsCheck's verdict instead of letting it print or throw, so the report is ours.</summary>
    private sealed class CapturingRunner : IRunner
    {
        public TestResult? Result { get; private set; }

        public void OnStartFixture(Type t)
        {
        }

        public void OnArguments(int ntest, FSharpList<object> args, FSharpFunc<int, FSharpFunc<FSharpList<object>, string>> every)
        {
        }

        public void OnShrink(FSharpList<object> args, FSharpFunc<FSharpList<object>, string> everyShrink)
        {
        }

        public void OnFinished(string name, TestResult testResult) => Result = testResult;
    }
}
