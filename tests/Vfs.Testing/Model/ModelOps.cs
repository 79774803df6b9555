using Vfs.Abstractions;

namespace Vfs.Testing.Model;

// The operation vocabulary of the model harness. Each record prints as one script line (ModelScript parses it).
// Path operations resolve their PathRef, handle operations their HandleRef, against the state before the step.

/// <summary>A path operation: resolves its path and shrinks its index.</summary>
public abstract record PathOp(PathRef Path) : ModelOp
{
    public override ModelOp? Resolve(ModelState state) => this with { Path = PathRef.Of(Path.Resolve(state)) };

    public override IEnumerable<ModelOp> Shrink() => ShrinkPath(Path).Select(p => this with { Path = p });

    protected VfsPath Concrete => Path.Literal;
}

/// <summary>A handle operation: resolves its handle (skipped when none is open) and shrinks its index.</summary>
public abstract record HandleOp(HandleRef Handle) : ModelOp
{
    public override ModelOp? Resolve(ModelState state) =>
        Handle.Resolve(state) is int id ? this with { Handle = HandleRef.Id(id) } : null;

    public override IEnumerable<ModelOp> Shrink() => ShrinkHandle(Handle).Select(h => this with { Handle = h });

    protected int Id => Handle.Value;
}

/// <summary>open(2): on success both sides hold handle <c>h{NextHandleId}</c>.</summary>
public sealed record OpenOp(PathRef Path, VfsOpenFlags Flags) : PathOp(Path)
{
    protected internal override async ValueTask<string> RunAsync(ModelRun run, ModelSide side, CancellationToken cancellationToken)
    {
        var file = await side.Vfs.OpenAsync(Concrete, Flags, VfsCreateOptions.File, cancellationToken).ConfigureAwait(false);
        side.Files.Add(run.NextHandleId, file);
        return $"h{run.NextHandleId}";
    }

    protected internal override void Agreed(ModelRun run, string outcome)
    {
        if (outcome == $"h{run.NextHandleId}") run.AddHandle(new ModelHandle(run.NextHandleId, Concrete, Flags));
    }

    public override string ToString() => $"open {Path} {ModelFormat.Flags(Flags)}";
}

public sealed record WriteOp(HandleRef Handle, long Offset, string Data) : HandleOp(Handle)
{
    protected internal override async ValueTask<string> RunAsync(ModelRun run, ModelSide side, CancellationToken cancellationToken)
    {
        await side.File(Id).WriteAsync(Offset, ModelFormat.Bytes(Data), cancellationToken).ConfigureAwait(false);
        return "ok";
    }

    protected internal override void Agreed(ModelRun run, string outcome)
    {
        if (outcome == "ok" && run.FindHandle(Id) is { SequentialEnd: >= 0 } handle)
            handle.SequentialEnd = handle.Flags.HasFlag(VfsOpenFlags.Append) ? handle.SequentialEnd + Data.Length : Math.Max(handle.SequentialEnd, Offset + Data.Length);
    }

    public override IEnumerable<ModelOp> Shrink()
    {
        foreach (var op in base.Shrink()) yield return op;
        if (Offset > 0) yield return this with { Offset = 0 };
        if (Data.Length > 1) yield return this with { Data = Data[..1] };
    }

    public override string ToString() => $"write {Handle} @{Offset} {ModelFormat.Quote(Data)}";
}

/// <summary>`echo DATA >> PATH`: open with O_APPEND|O_CREAT, write, close.</summary>
public sealed record AppendOp(PathRef Path, string Data) : PathOp(Path)
{
    protected internal override async ValueTask<string> RunAsync(ModelRun run, ModelSide side, CancellationToken cancellationToken)
    {
        var file = await side.Vfs.OpenAsync(Concrete, VfsOpenFlags.Write | VfsOpenFlags.Append | VfsOpenFlags.Create, VfsCreateOptions.File, cancellationToken).ConfigureAwait(false);
        await using (file.ConfigureAwait(false))
        {
            await file.WriteAsync(0, ModelFormat.Bytes(Data), cancellationToken).ConfigureAwait(false);
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        return "ok";
    }

    public override IEnumerable<ModelOp> Shrink()
    {
        foreach (var op in base.Shrink()) yield return op;
        if (Data.Length > 1) yield return this with { Data = Data[..1] };
    }

    public override string ToString() => $"append {Path} {ModelFormat.Quote(Data)}";
}

public sealed record ReadOp(HandleRef Handle, long Offset, int Length) : HandleOp(Handle)
{
    protected internal override async ValueTask<string> RunAsync(ModelRun run, ModelSide side, CancellationToken cancellationToken)
    {
        var buffer = new byte[Length];
        int read = await side.File(Id).ReadAsync(Offset, buffer, cancellationToken).ConfigureAwait(false);
        return $"{read} {ModelFormat.Quote(buffer.AsSpan(0, read))}";
    }

    public override IEnumerable<ModelOp> Shrink()
    {
        foreach (var op in base.Shrink()) yield return op;
        if (Offset > 0) yield return this with { Offset = 0 };
    }

    public override string ToString() => $"read {Handle} @{Offset} {Length}";
}

/// <summary>ftruncate(2) through a handle.</summary>
public sealed record TruncateOp(HandleRef Handle, long Size) : HandleOp(Handle)
{
    protected internal override async ValueTask<string> RunAsync(ModelRun run, ModelSide side, CancellationToken cancellationToken)
    {
        await side.File(Id).TruncateAsync(Size, cancellationToken).ConfigureAwait(false);
        return "ok";
    }

    protected internal override void Agreed(ModelRun run, string outcome)
    {
        if (outcome == "ok" && run.FindHandle(Id) is { SequentialEnd: >= 0 } handle) handle.SequentialEnd = Size;
    }

    public override IEnumerable<ModelOp> Shrink()
    {
        foreach (var op in base.Shrink()) yield return op;
        if (Size > 0) yield return this with { Size = 0 };
    }

    public override string ToString() => $"truncate {Handle} {Size}";
}

/// <summary>truncate(2) by path: setattr with a size.</summary>
public sealed record SetSizeOp(PathRef Path, long Size) : PathOp(Path)
{
    protected internal override async ValueTask<string> RunAsync(ModelRun run, ModelSide side, CancellationToken cancellationToken) =>
        ModelFormat.Attributes(await side.Vfs.SetAttrAsync(Concrete, new VfsAttributeChanges { Size = Size }, cancellationToken).ConfigureAwait(false), run.Capabilities);

    public override IEnumerable<ModelOp> Shrink()
    {
        foreach (var op in base.Shrink()) yield return op;
        if (Size > 0) yield return this with { Size = 0 };
    }

    public override string ToString() => $"setsize {Path} {Size}";
}

public sealed record FlushOp(HandleRef Handle) : HandleOp(Handle)
{
    protected internal override async ValueTask<string> RunAsync(ModelRun run, ModelSide side, CancellationToken cancellationToken)
    {
        await side.File(Id).FlushAsync(cancellationToken).ConfigureAwait(false);
        return "ok";
    }

    public override string ToString() => $"flush {Handle}";
}

public sealed record FsyncOp(HandleRef Handle) : HandleOp(Handle)
{
    protected internal override async ValueTask<string> RunAsync(ModelRun run, ModelSide side, CancellationToken cancellationToken)
    {
        await side.File(Id).FsyncAsync(cancellationToken).ConfigureAwait(false);
        return "ok";
    }

    public override string ToString() => $"fsync {Handle}";
}

/// <summary>fstat(2): the attributes as the handle sees them.</summary>
public sealed record FStatOp(HandleRef Handle) : HandleOp(Handle)
{
    protected internal override async ValueTask<string> RunAsync(ModelRun run, ModelSide side, CancellationToken cancellationToken) =>
        ModelFormat.Attributes(await side.File(Id).GetAttrAsync(cancellationToken).ConfigureAwait(false), run.Capabilities);

    public override string ToString() => $"fstat {Handle}";
}

/// <summary>close(2) as the kernel does it: flush (whose error close reports), then release.</summary>
public sealed record CloseOp(HandleRef Handle) : HandleOp(Handle)
{
    protected internal override async ValueTask<string> RunAsync(ModelRun run, ModelSide side, CancellationToken cancellationToken)
    {
        if (!side.Files.Remove(Id, out var file)) throw new VfsException(Errno.EBADF, $"h{Id} is not open");
        await using (file.ConfigureAwait(false))
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
        return "ok";
    }

    protected internal override void Agreed(ModelRun run, string outcome) => run.RemoveHandle(Id);

    public override string ToString() => $"close {Handle}";
}

/// <summary>rename(2) / renameat2(2) of files and directories.</summary>
public sealed record RenameOp(PathRef From, PathRef To, VfsRenameFlags Flags) : ModelOp
{
    public override ModelOp? Resolve(ModelState state) =>
        this with { From = PathRef.Of(From.Resolve(state)), To = PathRef.Of(To.Resolve(state)) };

    protected internal override async ValueTask<string> RunAsync(ModelRun run, ModelSide side, CancellationToken cancellationToken)
    {
        await side.Vfs.RenameAsync(From.Literal, To.Literal, Flags, cancellationToken).ConfigureAwait(false);
        return "ok";
    }

    protected internal override void Agreed(ModelRun run, string outcome)
    {
        if (outcome == "ok") run.Renamed(From.Literal, To.Literal, Flags);
    }

    public override IEnumerable<ModelOp> Shrink()
    {
        if (Flags != VfsRenameFlags.None) yield return this with { Flags = VfsRenameFlags.None };
        foreach (var from in ShrinkPath(From)) yield return this with { From = from };
        foreach (var to in ShrinkPath(To)) yield return this with { To = to };
    }

    public override string ToString() =>
        Flags == VfsRenameFlags.None ? $"rename {From} {To}" : $"rename {From} {To} {ModelFormat.RenameFlags(Flags)}";
}

/// <summary>unlink(2).</summary>
public sealed record UnlinkOp(PathRef Path) : PathOp(Path)
{
    protected internal override async ValueTask<string> RunAsync(ModelRun run, ModelSide side, CancellationToken cancellationToken)
    {
        await side.Vfs.RemoveAsync(Concrete, cancellationToken).ConfigureAwait(false);
        return "ok";
    }

    protected internal override void Agreed(ModelRun run, string outcome)
    {
        if (outcome == "ok") run.Unlinked(Concrete);
    }

    public override string ToString() => $"unlink {Path}";
}

public sealed record MkdirOp(PathRef Path) : PathOp(Path)
{
    protected internal override async ValueTask<string> RunAsync(ModelRun run, ModelSide side, CancellationToken cancellationToken) =>
        ModelFormat.Attributes(await side.Vfs.MkdirAsync(Concrete, VfsCreateOptions.Directory, cancellationToken).ConfigureAwait(false), run.Capabilities);

    public override string ToString() => $"mkdir {Path}";
}

public sealed record RmdirOp(PathRef Path) : PathOp(Path)
{
    protected internal override async ValueTask<string> RunAsync(ModelRun run, ModelSide side, CancellationToken cancellationToken)
    {
        await side.Vfs.RmdirAsync(Concrete, cancellationToken).ConfigureAwait(false);
        return "ok";
    }

    public override string ToString() => $"rmdir {Path}";
}

/// <summary>readdir: names sorted, with kinds, sizes and modes.</summary>
public sealed record ListOp(PathRef Path) : PathOp(Path)
{
    protected internal override async ValueTask<string> RunAsync(ModelRun run, ModelSide side, CancellationToken cancellationToken)
    {
        var entries = new List<VfsEntry>();
        await foreach (var entry in side.Vfs.ListAsync(Concrete, cancellationToken).ConfigureAwait(false)) entries.Add(entry);
        return ModelFormat.Listing(entries, run.Capabilities);
    }

    public override string ToString() => $"list {Path}";
}

/// <summary>lstat(2): kind, size, mode; "missing" when it does not exist.</summary>
public sealed record StatOp(PathRef Path) : PathOp(Path)
{
    protected internal override async ValueTask<string> RunAsync(ModelRun run, ModelSide side, CancellationToken cancellationToken) =>
        ModelFormat.Attributes(await side.Vfs.TryGetAttrAsync(Concrete, cancellationToken).ConfigureAwait(false), run.Capabilities);

    public override string ToString() => $"stat {Path}";
}

public sealed record ChmodOp(PathRef Path, int Mode) : PathOp(Path)
{
    protected internal override async ValueTask<string> RunAsync(ModelRun run, ModelSide side, CancellationToken cancellationToken) =>
        ModelFormat.Attributes(await side.Vfs.SetAttrAsync(Concrete, new VfsAttributeChanges { Mode = Mode }, cancellationToken).ConfigureAwait(false), run.Capabilities);

    public override string ToString() => $"chmod {Path} {ModelFormat.Mode(Mode)}";
}

public sealed record SymlinkOp(PathRef Path, string Target) : PathOp(Path)
{
    protected internal override async ValueTask<string> RunAsync(ModelRun run, ModelSide side, CancellationToken cancellationToken) =>
        ModelFormat.Attributes(await side.Vfs.SymlinkAsync(Path.Literal, Target, new VfsCreateOptions(0b111_111_111), cancellationToken).ConfigureAwait(false), run.Capabilities);

    public override string ToString() => $"symlink {Path} {ModelFormat.Quote(Target)}";
}

public sealed record ReadlinkOp(PathRef Path) : PathOp(Path)
{
    protected internal override async ValueTask<string> RunAsync(ModelRun run, ModelSide side, CancellationToken cancellationToken) =>
        ModelFormat.Quote(await side.Vfs.ReadlinkAsync(Concrete, cancellationToken).ConfigureAwait(false));

    public override string ToString() => $"readlink {Path}";
}

/// <summary>Compares the whole tree with contents (the harness also does it after the last step).</summary>
public sealed record TreeOp : ModelOp
{
    protected internal override async ValueTask<string> RunAsync(ModelRun run, ModelSide side, CancellationToken cancellationToken) =>
        await ModelTree.RenderAsync(side.Vfs, run.Capabilities, cancellationToken).ConfigureAwait(false);

    public override string ToString() => "tree";
}
