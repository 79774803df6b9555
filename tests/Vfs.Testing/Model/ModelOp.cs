using Vfs.Abstractions;

namespace Vfs.Testing.Model;

/// <summary>
/// One operation of a model sequence. As generated it names its targets by index (<see cref="PathRef.Entry"/>,
/// <see cref="HandleRef.OpenIndex"/>); <see cref="Resolve"/> turns it into its concrete form (literal paths,
/// handle ids) against the state before the step, and the concrete form runs on both sides. <see cref="object.ToString"/>
/// is one line of the script language that <see cref="ModelScript"/> parses back.
/// </summary>
/// <remarks>
/// Layers add their own operations (crash and reopen a cache, evict, change the store behind the stack's back)
/// by deriving from this type and overriding <see cref="ExecuteAsync"/>, which may act on each side differently.
/// </remarks>
public abstract record ModelOp
{
    /// <summary>The concrete form of this operation now, or null when it has nothing to act on (no open handle).</summary>
    public virtual ModelOp? Resolve(ModelState state) => this;

    /// <summary>Runs the operation on the reference, then on the system under test, and returns both outcomes.</summary>
    public virtual async ValueTask<ModelStep> ExecuteAsync(ModelRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var expected = await ModelOutcome.CaptureAsync(() => RunAsync(run, run.Reference, cancellationToken)).ConfigureAwait(false);
        var actual = await ModelOutcome.CaptureAsync(() => RunAsync(run, run.Sut, cancellationToken)).ConfigureAwait(false);
        if (expected == actual) Agreed(run, expected);
        return new ModelStep(this, expected, actual);
    }

    /// <summary>Runs the operation on one side; the returned text is what is compared. Errors are thrown as <see cref="VfsException"/>.</summary>
    protected internal virtual ValueTask<string> RunAsync(ModelRun run, ModelSide side, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"{GetType().Name} overrides neither RunAsync nor ExecuteAsync");

    /// <summary>Bookkeeping once both sides gave the same outcome (handles opened, closed, renamed).</summary>
    protected internal virtual void Agreed(ModelRun run, string outcome)
    {
    }

    /// <summary>Simpler variants of this operation, tried while shrinking a failing sequence.</summary>
    public virtual IEnumerable<ModelOp> Shrink() => [];

    protected static IEnumerable<PathRef> ShrinkPath(PathRef path)
    {
        if (path.Index is not > 0) yield break;
        yield return !path.IsDirectory ? PathRef.Entry(0) : path.ChildName is null ? PathRef.Directory(0) : PathRef.Child(0, path.ChildName);
    }

    protected static IEnumerable<HandleRef> ShrinkHandle(HandleRef handle)
    {
        if (handle.IsIndex && handle.Value > 0) yield return HandleRef.OpenIndex(0);
    }
}

/// <summary>One executed step: the concrete operation and both outcomes.</summary>
public sealed record ModelStep(ModelOp Op, string Expected, string Actual)
{
    public static ModelStep Skipped(ModelOp op, string why) => new(op, "skipped: " + why, "skipped: " + why) { IsSkipped = true };

    public int Index { get; init; }

    public bool IsSkipped { get; init; }

    public bool Agrees => Expected == Actual;

    public override string ToString()
    {
        var head = $"#{Index,-3} {Op}";
        if (IsSkipped) return $"{head,-44} -- {Expected}";
        if (Agrees) return $"{head,-44} => {FirstLine(Expected)}";
        return $"{head,-44} => expected {FirstLine(Expected)}, actual {FirstLine(Actual)}   <== first divergence";
    }

    private static string FirstLine(string text)
    {
        int newline = text.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? text : text[..newline] + " ...";
    }
}

/// <summary>Turns what an operation did into the compared text: its value, or the errno it failed with.</summary>
public static class ModelOutcome
{
    public static async ValueTask<string> CaptureAsync(Func<ValueTask<string>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (VfsException e)
        {
            return e.Errno.ToString();
        }
        catch (Exception e)
        {
            // Not an errno: never what the reference says, so it always shows as a divergence, with its message.
            return $"unexpected {e.GetType().Name}: {e.Message}";
        }
    }
}
