using Vfs.Abstractions;

namespace Vfs.Testing.Model;

/// <summary>The operations the generator may produce; a stack's capabilities select a subset.</summary>
[Flags]
public enum ModelOpKinds
{
    None = 0,
    Open = 1 << 0,
    Write = 1 << 1,
    Append = 1 << 2,
    Read = 1 << 3,
    Truncate = 1 << 4,
    SetSize = 1 << 5,
    Flush = 1 << 6,
    Fsync = 1 << 7,
    Close = 1 << 8,
    FStat = 1 << 9,
    Rename = 1 << 10,
    Unlink = 1 << 11,
    Mkdir = 1 << 12,
    Rmdir = 1 << 13,
    List = 1 << 14,
    Stat = 1 << 15,
    Chmod = 1 << 16,
    Symlink = 1 << 17,
    Readlink = 1 << 18,
    Tree = 1 << 19,
    All = (1 << 20) - 1,
}

/// <summary>
/// What a stack can be asked, decided twice: which kinds of operation are generated (<see cref="Kinds"/>), and,
/// once an operation is resolved against the current state, whether it runs as is, runs adjusted, or is skipped
/// (<see cref="Adjust"/>). The defaults follow <see cref="VfsCapabilities"/>; a layer with finer rules (S3's
/// "writes become visible at close") derives from this class and overrides either.
/// </summary>
public class ModelPolicy
{
    public ModelPolicy(VfsCapabilities capabilities) => Capabilities = capabilities;

    public VfsCapabilities Capabilities { get; }

    /// <summary>The kinds generated: everything, less what the capabilities rule out.</summary>
    public virtual ModelOpKinds Kinds
    {
        get
        {
            var kinds = ModelOpKinds.All;
            if (!Capabilities.Has(VfsCapabilities.Append)) kinds &= ~ModelOpKinds.Append;
            if (!Capabilities.Has(VfsCapabilities.Truncate)) kinds &= ~(ModelOpKinds.Truncate | ModelOpKinds.SetSize);
            if (!Capabilities.Has(VfsCapabilities.Permissions)) kinds &= ~ModelOpKinds.Chmod;
            if (!Capabilities.Has(VfsCapabilities.Symlinks)) kinds &= ~(ModelOpKinds.Symlink | ModelOpKinds.Readlink);
            return kinds;
        }
    }

    /// <summary>
    /// The operation to run for <paramref name="op"/> (concrete: literal paths and handle ids) in
    /// <paramref name="state"/>, or null to skip it. By default:
    /// <list type="bullet">
    /// <item>with <see cref="AvoidsSymlinkResolution"/>, nothing goes through a symlink and nothing that would
    /// follow one acts on one;</item>
    /// <item>without RandomWrite, a write open is always O_CREAT|O_TRUNC, write-only, and writes go to the end of
    /// what the handle wrote (whole objects, sequentially);</item>
    /// <item>without Append, O_APPEND is dropped; unsupported rename flags are dropped.</item>
    /// </list>
    /// </summary>
    public virtual ModelOp? Adjust(ModelOp op, ModelState state)
    {
        ArgumentNullException.ThrowIfNull(op);
        ArgumentNullException.ThrowIfNull(state);
        if (AvoidsSymlinkResolution && ResolvesSymlink(op, state)) return null;
        switch (op)
        {
            case OpenOp open:
                return open with { Flags = AdjustOpenFlags(open.Flags) };
            case WriteOp write when !Capabilities.Has(VfsCapabilities.RandomWrite):
                return state.Handle(write.Handle.Value) is { SequentialEnd: >= 0 } handle ? write with { Offset = handle.SequentialEnd } : null;
            case RenameOp rename:
                return rename with { Flags = AdjustRenameFlags(rename.Flags) };
            default:
                return op;
        }
    }

    /// <summary>
    /// False by default: the contract defines what a store does with a symlink on the way (ENOTDIR) or at the end
    /// (ELOOP for open, ENOTSUP for chmod, ...), and the reference model does it, so the harness asks. A stack that
    /// cannot keep that (the kernel resolves symlinks before a FUSE request, so a mount never sees one) returns true,
    /// and such operations are skipped.
    /// </summary>
    public virtual bool AvoidsSymlinkResolution => false;

    protected static bool ResolvesSymlink(ModelOp op, ModelState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return op switch
        {
            PathOp p when state.HasSymlinkAncestor(p.Path.Literal) => true,
            OpenOp or AppendOp or SetSizeOp or ChmodOp or ListOp => state.KindOf(((PathOp)op).Path.Literal) == VfsEntryKind.Symlink,
            RenameOp r => state.HasSymlinkAncestor(r.From.Literal) || state.HasSymlinkAncestor(r.To.Literal),
            _ => false,
        };
    }

    protected virtual VfsOpenFlags AdjustOpenFlags(VfsOpenFlags flags)
    {
        if (!Capabilities.Has(VfsCapabilities.RandomWrite) && flags.HasFlag(VfsOpenFlags.Write))
            return VfsOpenFlags.Write | VfsOpenFlags.Create | VfsOpenFlags.Truncate | (flags & VfsOpenFlags.Exclusive);
        if (!Capabilities.Has(VfsCapabilities.Append)) flags &= ~VfsOpenFlags.Append;
        return flags;
    }

    protected virtual VfsRenameFlags AdjustRenameFlags(VfsRenameFlags flags)
    {
        if (flags.HasFlag(VfsRenameFlags.NoReplace) && !Capabilities.Has(VfsCapabilities.RenameNoReplace)) return VfsRenameFlags.None;
        if (flags.HasFlag(VfsRenameFlags.Exchange) && !Capabilities.Has(VfsCapabilities.RenameExchange)) return VfsRenameFlags.None;
        return flags;
    }
}
