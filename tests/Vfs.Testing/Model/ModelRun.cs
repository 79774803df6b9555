using Vfs.Abstractions;

namespace Vfs.Testing.Model;

/// <summary>One side of a run: a filesystem and the handles it has open, by harness id.</summary>
public sealed class ModelSide(string name, IVfs vfs)
{
    public string Name { get; } = name;

    /// <summary>The filesystem; an extension operation may replace the system under test (crash and reopen).</summary>
    public IVfs Vfs { get; set; } = vfs;

    public Dictionary<int, IVfsFile> Files { get; } = [];

    public IVfsFile File(int id) =>
        Files.TryGetValue(id, out var file) ? file : throw new VfsException(Errno.EBADF, $"h{id} is not open on {Name}");

    public override string ToString() => Name;
}

/// <summary>
/// One sequence run against the reference model and the system under test, step by step.
/// </summary>
/// <remarks>
/// Before each step the run observes the reference (its whole tree, small by construction) and the open handles,
/// resolves the step's index targets against that state, lets the policy adjust or skip it, and executes it on
/// both sides. It stops at the first step whose outcomes differ. <see cref="FinishAsync"/> closes every handle
/// that is still open and compares the whole trees. Single-threaded: one step at a time, no locks.
/// </remarks>
public sealed class ModelRun : IAsyncDisposable
{
    private readonly List<ModelHandle> _handles = [];
    private readonly List<ModelStep> _steps = [];
    private readonly TimeSpan _operationTimeout;

    public ModelRun(IVfs reference, IVfs sut, ModelPolicy policy, TimeSpan operationTimeout)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(sut);
        ArgumentNullException.ThrowIfNull(policy);
        Reference = new ModelSide("reference", reference);
        Sut = new ModelSide("system under test", sut);
        Policy = policy;
        _operationTimeout = operationTimeout;
    }

    public ModelSide Reference { get; }

    public ModelSide Sut { get; }

    public ModelPolicy Policy { get; }

    public VfsCapabilities Capabilities => Policy.Capabilities;

    /// <summary>The id the next successful open gets: h0, h1, ... in the order of successful opens.</summary>
    public int NextHandleId { get; private set; }

    public IReadOnlyList<ModelHandle> Handles => _handles;

    public IReadOnlyList<ModelStep> Steps => _steps;

    /// <summary>The state the current step was resolved against.</summary>
    public ModelState? State { get; private set; }

    /// <summary>The first step whose outcomes differ, or null while they all agree.</summary>
    public ModelStep? Divergence { get; private set; }

    public async ValueTask<ModelState> ObserveAsync(CancellationToken cancellationToken)
    {
        var entries = await ModelTree.EntriesAsync(Reference.Vfs, cancellationToken).ConfigureAwait(false);
        return new ModelState(entries, [.. _handles], Capabilities, NextHandleId);
    }

    /// <summary>Runs every operation, then <see cref="FinishAsync"/>; false at the first divergence.</summary>
    public async ValueTask<bool> RunAsync(IEnumerable<ModelOp> ops, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ops);
        foreach (var op in ops)
            if (!await StepAsync(op, cancellationToken).ConfigureAwait(false)) return false;
        return await FinishAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Resolves, adjusts and executes one operation; false when the outcomes differ.</summary>
    public async ValueTask<bool> StepAsync(ModelOp op, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(op);
        if (Divergence is not null) throw new InvalidOperationException("the run already diverged");
        State = await ObserveAsync(cancellationToken).ConfigureAwait(false);
        var resolved = op.Resolve(State);
        if (resolved is null) return Record(ModelStep.Skipped(op, "no open handle"));
        var adjusted = Policy.Adjust(resolved, State);
        if (adjusted is null) return Record(ModelStep.Skipped(resolved, "not served by this stack (policy)"));

        ModelStep step;
        try
        {
            step = await adjusted.ExecuteAsync(this, cancellationToken).AsTask().WaitAsync(_operationTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            step = new ModelStep(adjusted, "an answer", $"no answer within {_operationTimeout.TotalSeconds:0.#} s");
        }
        return Record(step);
    }

    /// <summary>Closes every handle still open (flush, release), then compares the whole trees with contents.</summary>
    public async ValueTask<bool> FinishAsync(CancellationToken cancellationToken)
    {
        foreach (var handle in _handles.ToList())
            if (!await StepAsync(new CloseOp(HandleRef.Id(handle.Id)), cancellationToken).ConfigureAwait(false)) return false;
        return await StepAsync(new TreeOp(), cancellationToken).ConfigureAwait(false);
    }

    private bool Record(ModelStep step)
    {
        step = step with { Index = _steps.Count };
        _steps.Add(step);
        if (!step.Agrees) Divergence = step;
        return step.Agrees;
    }

    public ModelHandle? FindHandle(int id) => _handles.Find(h => h.Id == id);

    internal void AddHandle(ModelHandle handle)
    {
        _handles.Add(handle);
        NextHandleId = handle.Id + 1;
    }

    internal void RemoveHandle(int id) => _handles.RemoveAll(h => h.Id == id);

    /// <summary>Open handles follow a rename; a handle on a replaced file loses its path.</summary>
    internal void Renamed(VfsPath from, VfsPath to, VfsRenameFlags flags)
    {
        if (from == to) return;
        foreach (var handle in _handles)
        {
            if (handle.Path is not VfsPath path) continue;
            if (path.IsSameOrDescendantOf(from)) handle.Path = path.Rebase(from, to);
            else if (flags.HasFlag(VfsRenameFlags.Exchange) && path.IsSameOrDescendantOf(to)) handle.Path = path.Rebase(to, from);
            else if (path == to) handle.Path = null;
        }
    }

    internal void Unlinked(VfsPath path)
    {
        foreach (var handle in _handles)
            if (handle.Path == path) handle.Path = null;
    }

    /// <summary>
    /// Forgets every open handle, for an extension operation that restarts the system under test: the
    /// reference's handles are closed; the system's are released only when <paramref name="releaseSut"/> (a crash
    /// releases nothing).
    /// </summary>
    public async ValueTask ForgetHandlesAsync(bool releaseSut)
    {
        await ReleaseAllAsync(Reference).ConfigureAwait(false);
        if (releaseSut) await ReleaseAllAsync(Sut).ConfigureAwait(false);
        else Sut.Files.Clear();
        _handles.Clear();
    }

    private static async ValueTask ReleaseAllAsync(ModelSide side)
    {
        foreach (var file in side.Files.Values)
        {
            try
            {
                await file.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Release cannot report errors (IVfsFile); the run's outcome is already decided.
            }
        }
        side.Files.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var side in new[] { Reference, Sut })
        {
            var release = ReleaseAllAsync(side).AsTask();
            try
            {
                await release.WaitAsync(_operationTimeout).ConfigureAwait(false);
                await side.Vfs.DisposeAsync().AsTask().WaitAsync(_operationTimeout).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Cleanup of a failed run: the failure is what matters and is already recorded.
            }
        }
    }
}
