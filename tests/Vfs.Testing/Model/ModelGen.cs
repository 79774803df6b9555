using FsCheck;
using FsCheck.Fluent;
using Vfs.Abstractions;

namespace Vfs.Testing.Model;

/// <summary>An extra operation a layer adds to the generated mix (crash and reopen, evict, out-of-band change).</summary>
public sealed record ModelOpGenerator(int Weight, Gen<ModelOp> Generator);

/// <summary>
/// Random operation sequences over a small name space (a, b, c, d at depth 1 and 2) so that creations collide with
/// what exists. Targets are indices: into the reference's entries most of the time (so operations hit real
/// entries), a fresh name from the name space otherwise; handles by index into the open handles. Plain Gen/Arb,
/// no state machine: the state is consulted when a step runs, not when it is generated.
/// </summary>
public static class ModelGen
{
    private static readonly Gen<PathRef> EntryIndex = Gen.Choose(0, 63).Select(i => PathRef.Entry(i));

    private static readonly Gen<PathRef> FreshName = Gen.Elements(ModelNames.Paths.ToArray()).Select(p => PathRef.Of(p));

    /// <summary>A target that mostly exists; sometimes a fresh name or the root.</summary>
    public static Gen<PathRef> ExistingPath { get; } = Gen.Frequency(
        (16, EntryIndex), (4, FreshName), (1, Gen.Constant(PathRef.Of(VfsPath.Root))));

    private static readonly Gen<PathRef> DirectoryIndex = Gen.Choose(0, 63).Select(i => PathRef.Directory(i));

    /// <summary>A target that is mostly an existing directory (rmdir, rename over a directory).</summary>
    public static Gen<PathRef> DirectoryPath { get; } = Gen.Frequency((2, DirectoryIndex), (1, ExistingPath));

    private static readonly Gen<PathRef> ChildOfDirectory =
        from index in Gen.Choose(0, 63) from name in Gen.Elements(ModelNames.Names.ToArray()) select PathRef.Child(index, name);

    /// <summary>A name to create: in an existing directory or fresh (colliding now and then), sometimes an existing entry.</summary>
    public static Gen<PathRef> NewPath { get; } = Gen.Frequency((4, ChildOfDirectory), (2, FreshName), (1, EntryIndex));

    public static Gen<HandleRef> Handle { get; } = Gen.Choose(0, 7).Select(i => HandleRef.OpenIndex(i));

    public static Gen<string> Data { get; } = Gen.Frequency((1, Gen.Constant(0)), (12, Gen.Choose(1, 6)))
        .SelectMany(length => Gen.ArrayOf(Gen.Elements("abcdefghijklmnopqrstuvwxyz".ToCharArray()), length))
        .Select(chars => new string(chars));

    public static Gen<long> Offset { get; } = Gen.Frequency((3, Gen.Constant(0)), (5, Gen.Choose(0, 12))).Select(o => (long)o);

    public static Gen<long> Size { get; } = Gen.Choose(0, 12).Select(s => (long)s);

    public static Gen<VfsOpenFlags> OpenFlags { get; } =
        from access in Gen.Elements(VfsOpenFlags.Read, VfsOpenFlags.Write, VfsOpenFlags.ReadWrite)
        from create in Gen.Frequency((3, Gen.Constant(true)), (2, Gen.Constant(false)))
        from exclusive in Gen.Frequency((1, Gen.Constant(true)), (6, Gen.Constant(false)))
        from truncate in Gen.Frequency((1, Gen.Constant(true)), (3, Gen.Constant(false)))
        from append in Gen.Frequency((1, Gen.Constant(true)), (5, Gen.Constant(false)))
        select access
               | (create ? VfsOpenFlags.Create : 0)
               | (create && exclusive ? VfsOpenFlags.Exclusive : 0)
               | (truncate && access.HasFlag(VfsOpenFlags.Write) ? VfsOpenFlags.Truncate : 0)
               | (append && access.HasFlag(VfsOpenFlags.Write) ? VfsOpenFlags.Append : 0);

    public static Gen<VfsRenameFlags> RenameFlags { get; } =
        Gen.Frequency((6, Gen.Constant(VfsRenameFlags.None)), (1, Gen.Constant(VfsRenameFlags.NoReplace)), (1, Gen.Constant(VfsRenameFlags.Exchange)));

    /// <summary>Modes that keep the owner's rwx, so a test run without root still reaches everything.</summary>
    public static Gen<int> Mode { get; } = Gen.Elements(0b111_000_000, 0b111_101_101, 0b111_101_000, 0b111_001_001, 0b111_111_111, 0b111_100_100);

    public static Gen<string> SymlinkTarget { get; } = Gen.Elements("a", "b/c", "../x", "d");

    /// <summary>One operation of the given kinds (weights favour opens and writes), plus the extra generators.</summary>
    public static Gen<ModelOp> Op(ModelOpKinds kinds, IEnumerable<ModelOpGenerator>? extra = null)
    {
        var choices = new List<(int, Gen<ModelOp>)>();
        void Add(ModelOpKinds kind, int weight, Gen<ModelOp> gen)
        {
            if (kinds.HasFlag(kind)) choices.Add((weight, gen));
        }

        Add(ModelOpKinds.Open, 18, from p in NewPath.Or(ExistingPath) from f in OpenFlags select (ModelOp)new OpenOp(p, f));
        Add(ModelOpKinds.Write, 12, from h in Handle from o in Offset from d in Data select (ModelOp)new WriteOp(h, o, d));
        Add(ModelOpKinds.Append, 5, from p in ExistingPath from d in Data select (ModelOp)new AppendOp(p, d));
        Add(ModelOpKinds.Read, 8, from h in Handle from o in Offset from n in Gen.Choose(1, 16) select (ModelOp)new ReadOp(h, o, n));
        Add(ModelOpKinds.Truncate, 3, from h in Handle from s in Size select (ModelOp)new TruncateOp(h, s));
        Add(ModelOpKinds.SetSize, 3, from p in ExistingPath from s in Size select (ModelOp)new SetSizeOp(p, s));
        Add(ModelOpKinds.Flush, 3, Handle.Select(h => (ModelOp)new FlushOp(h)));
        Add(ModelOpKinds.Fsync, 1, Handle.Select(h => (ModelOp)new FsyncOp(h)));
        Add(ModelOpKinds.Close, 6, Handle.Select(h => (ModelOp)new CloseOp(h)));
        Add(ModelOpKinds.FStat, 2, Handle.Select(h => (ModelOp)new FStatOp(h)));
        Add(ModelOpKinds.Rename, 16, from f in ExistingPath.Or(DirectoryIndex) from t in Gen.Frequency((2, NewPath), (1, ExistingPath), (2, DirectoryIndex)) from fl in RenameFlags select (ModelOp)new RenameOp(f, t, fl));
        Add(ModelOpKinds.Unlink, 4, ExistingPath.Select(p => (ModelOp)new UnlinkOp(p)));
        Add(ModelOpKinds.Mkdir, 16, NewPath.Select(p => (ModelOp)new MkdirOp(p)));
        Add(ModelOpKinds.Rmdir, 5, DirectoryPath.Select(p => (ModelOp)new RmdirOp(p)));
        Add(ModelOpKinds.List, 3, DirectoryPath.Select(p => (ModelOp)new ListOp(p)));
        Add(ModelOpKinds.Stat, 4, ExistingPath.Select(p => (ModelOp)new StatOp(p)));
        Add(ModelOpKinds.Chmod, 2, from p in ExistingPath from m in Mode select (ModelOp)new ChmodOp(p, m));
        Add(ModelOpKinds.Symlink, 1, from p in NewPath from t in SymlinkTarget select (ModelOp)new SymlinkOp(p, t));
        Add(ModelOpKinds.Readlink, 1, ExistingPath.Select(p => (ModelOp)new ReadlinkOp(p)));
        Add(ModelOpKinds.Tree, 1, Gen.Constant((ModelOp)new TreeOp()));
        foreach (var generator in extra ?? []) choices.Add((generator.Weight, generator.Generator));
        if (choices.Count == 0) throw new ArgumentException("no operation kind to generate", nameof(kinds));
        return Gen.Frequency(choices);
    }

    /// <summary>
    /// Out-of-band changes for <see cref="HarnessOptions.ExtraOps"/>: path operations of <paramref name="kinds"/>
    /// (default: append, mkdir, rename, unlink, rmdir, setsize) applied to the reference and to the store under the
    /// stack, given by <paramref name="store"/> for the current run.
    /// </summary>
    public static ModelOpGenerator OutOfBand(Func<IVfs> store, int weight = 3, ModelOpKinds kinds = OutOfBandKinds)
    {
        const ModelOpKinds pathKinds = ModelOpKinds.Append | ModelOpKinds.SetSize | ModelOpKinds.Rename | ModelOpKinds.Unlink
            | ModelOpKinds.Mkdir | ModelOpKinds.Rmdir | ModelOpKinds.Chmod | ModelOpKinds.Symlink;
        return new(weight, Op(kinds & pathKinds).Select(op => (ModelOp)new OutOfBandOp(op, store)));
    }

    public const ModelOpKinds OutOfBandKinds = ModelOpKinds.Append | ModelOpKinds.Mkdir | ModelOpKinds.Rename
        | ModelOpKinds.Unlink | ModelOpKinds.Rmdir | ModelOpKinds.SetSize;

    /// <summary>
    /// Sequences of a quarter of <paramref name="maxOps"/> up to it, whatever FsCheck's size: interesting states (a
    /// directory renamed over a non-empty one) take a dozen steps to build, and shrinking makes failures short anyway.
    /// </summary>
    public static Gen<ModelOp[]> Sequence(Gen<ModelOp> op, int maxOps) =>
        Gen.Choose(Math.Max(1, maxOps / 4), maxOps).SelectMany(length => Gen.ArrayOf(op, length));

    /// <summary>Shorter sequences first (dropping halves, quarters, ... single steps), then simpler single steps.</summary>
    public static IEnumerable<ModelOp[]> Shrink(ModelOp[] ops)
    {
        ArgumentNullException.ThrowIfNull(ops);
        for (int chunk = Math.Max(1, ops.Length / 2); chunk >= 1 && ops.Length > 0; chunk /= 2)
            for (int start = 0; start + chunk <= ops.Length; start += chunk)
                yield return [.. ops[..start], .. ops[(start + chunk)..]];
        for (int i = 0; i < ops.Length; i++)
        {
            foreach (var simpler in ops[i].Shrink())
            {
                var copy = (ModelOp[])ops.Clone();
                copy[i] = simpler;
                yield return copy;
            }
        }
    }

    public static Arbitrary<ModelOp[]> Arbitrary(Gen<ModelOp> op, int maxOps) => Arb.From(Sequence(op, maxOps), Shrink);
}
