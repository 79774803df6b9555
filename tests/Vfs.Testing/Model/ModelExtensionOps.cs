using Vfs.Abstractions;

namespace Vfs.Testing.Model;

// Ready-made extension operations for layers to put into HarnessOptions.ExtraOps (with a ModelOpGenerator) and
// into ModelScript.Parse's extension table. Both act on the two sides differently, so they override ExecuteAsync.

/// <summary>
/// Restarts the system under test: <see cref="Restart"/> gets the running stack and returns the new one, built over
/// the same store (a clean restart disposes the old stack first; a crash abandons it without disposing). Only when
/// no handle is open (skipped otherwise): what a restart does to open handles is the layer's own rule, which its
/// own op can state. The reference is untouched: nothing written and closed may be lost.
/// </summary>
public sealed record RestartSutOp(string Keyword, Func<IVfs, ValueTask<IVfs>> Restart) : ModelOp
{
    public override ModelOp? Resolve(ModelState state) => state.Handles.Count == 0 ? this : null;

    public override async ValueTask<ModelStep> ExecuteAsync(ModelRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        await run.ForgetHandlesAsync(releaseSut: true).ConfigureAwait(false);
        var outcome = await ModelOutcome.CaptureAsync(async () =>
        {
            run.Sut.Vfs = await Restart(run.Sut.Vfs).ConfigureAwait(false);
            return "restarted";
        }).ConfigureAwait(false);
        return new ModelStep(this, "restarted", outcome);
    }

    public override string ToString() => Keyword;
}

/// <summary>
/// A change made behind the stack's back: <see cref="Change"/> (a path operation, resolved like any other) runs on
/// the reference and directly on the store below the stack (<see cref="Store"/> gives the current run's store),
/// never through the system under test, which must then notice it (at once, or after its cache TTL: a layer with a
/// TTL advances its clock in its own op). A store that disagrees with the reference here is reported as the
/// divergence, since the premise of the step failed.
/// </summary>
public sealed record OutOfBandOp(ModelOp Change, Func<IVfs> Store) : ModelOp
{
    public const string Keyword = "outofband";

    public override ModelOp? Resolve(ModelState state) =>
        Change.Resolve(state) is { } resolved ? this with { Change = resolved } : null;

    public override async ValueTask<ModelStep> ExecuteAsync(ModelRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (Change is HandleOp or OpenOp) throw new InvalidOperationException("an out-of-band change is a path operation without handles");
        var store = new ModelSide("store", Store());
        var expected = await ModelOutcome.CaptureAsync(() => Change.RunAsync(run, run.Reference, cancellationToken)).ConfigureAwait(false);
        var actual = await ModelOutcome.CaptureAsync(() => Change.RunAsync(run, store, cancellationToken)).ConfigureAwait(false);
        if (expected == actual) Change.Agreed(run, expected);
        return new ModelStep(this, expected, actual);
    }

    public override IEnumerable<ModelOp> Shrink() => Change.Shrink().Select(c => this with { Change = c });

    public override string ToString() => $"{Keyword} {Change}";

    /// <summary>The script parser entry for <c>outofband &lt;operation&gt;</c>.</summary>
    public static KeyValuePair<string, Func<IReadOnlyList<string>, ModelOp>> Parser(Func<IVfs> store) =>
        new(Keyword, words => new OutOfBandOp(ModelScript.Parse(string.Join(' ', words)).Single(), store));
}
