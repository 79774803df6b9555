using Vfs.Abstractions.Memory;
using Vfs.Testing.Model;
using Xunit.Abstractions;

namespace Vfs.Abstractions.Tests.Model;

public class ModelPolicyTests(ITestOutputHelper output)
{
    private static ModelState State(IReadOnlyList<ModelEntry>? entries = null, IReadOnlyList<ModelHandle>? handles = null, VfsCapabilities capabilities = VfsCapabilities.Posix) =>
        new(entries ?? [], handles ?? [], capabilities, handles?.Count ?? 0);

    private static VfsPath P(string text) => VfsPath.Parse(text);

    [Fact]
    public void Kinds_WithoutRandomWriteAppendTruncate_LeavesOutAppendAndTruncates()
    {
        var kinds = new ModelPolicy(SequentialWriteOnlyVfs.Limited).Kinds;
        Assert.False(kinds.HasFlag(ModelOpKinds.Append));
        Assert.False(kinds.HasFlag(ModelOpKinds.Truncate));
        Assert.False(kinds.HasFlag(ModelOpKinds.SetSize));
        Assert.True(kinds.HasFlag(ModelOpKinds.Write));
        Assert.Equal(ModelOpKinds.All, new ModelPolicy(VfsCapabilities.Posix).Kinds);
    }

    [Fact]
    public void Kinds_WithoutPermissionsOrSymlinks_LeavesOutChmodAndSymlinks()
    {
        var kinds = new ModelPolicy(VfsCapabilities.Posix & ~(VfsCapabilities.Permissions | VfsCapabilities.Symlinks)).Kinds;
        Assert.False(kinds.HasFlag(ModelOpKinds.Chmod));
        Assert.False(kinds.HasFlag(ModelOpKinds.Symlink));
        Assert.False(kinds.HasFlag(ModelOpKinds.Readlink));
    }

    [Fact]
    public void Adjust_WriteOpenWithoutRandomWrite_BecomesWriteOnlyCreateTruncate()
    {
        var policy = new ModelPolicy(SequentialWriteOnlyVfs.Limited);
        var adjusted = (OpenOp)policy.Adjust(new OpenOp(PathRef.Of("a"), VfsOpenFlags.ReadWrite | VfsOpenFlags.Append), State())!;
        Assert.Equal(VfsOpenFlags.Write | VfsOpenFlags.Create | VfsOpenFlags.Truncate, adjusted.Flags);
        var read = new OpenOp(PathRef.Of("a"), VfsOpenFlags.Read);
        Assert.Equal(read, policy.Adjust(read, State()));
    }

    [Fact]
    public void Adjust_WriteWithoutRandomWrite_GoesToWhereTheHandleEnds()
    {
        var policy = new ModelPolicy(SequentialWriteOnlyVfs.Limited);
        var handle = new ModelHandle(0, P("a"), VfsOpenFlags.Write | VfsOpenFlags.Create | VfsOpenFlags.Truncate);
        var adjusted = (WriteOp)policy.Adjust(new WriteOp(HandleRef.Id(0), 9, "xy"), State(handles: [handle]))!;
        Assert.Equal(0, adjusted.Offset);

        var unknownEnd = new ModelHandle(1, P("b"), VfsOpenFlags.Write);
        Assert.Null(policy.Adjust(new WriteOp(HandleRef.Id(1), 0, "xy"), State(handles: [unknownEnd])));
    }

    [Fact]
    public void Adjust_UnsupportedRenameFlags_AreDropped()
    {
        var policy = new ModelPolicy(VfsCapabilities.Posix & ~VfsCapabilities.RenameExchange);
        var adjusted = (RenameOp)policy.Adjust(new RenameOp(PathRef.Of("a"), PathRef.Of("b"), VfsRenameFlags.Exchange), State())!;
        Assert.Equal(VfsRenameFlags.None, adjusted.Flags);
    }

    private sealed class KernelLikePolicy(VfsCapabilities capabilities) : ModelPolicy(capabilities)
    {
        public override bool AvoidsSymlinkResolution => true;
    }

    [Fact]
    public void Adjust_AvoidingSymlinkResolution_SkipsWhatWouldFollowALink()
    {
        var state = State(entries: [new ModelEntry(P("l"), VfsEntryKind.Symlink)]);
        var policy = new KernelLikePolicy(VfsCapabilities.Posix);
        Assert.Null(policy.Adjust(new OpenOp(PathRef.Of("l"), VfsOpenFlags.Read), state));
        Assert.Null(policy.Adjust(new MkdirOp(PathRef.Of("l/x")), state));
        Assert.Null(policy.Adjust(new RenameOp(PathRef.Of("a"), PathRef.Of("l/a"), VfsRenameFlags.None), state));
        Assert.NotNull(policy.Adjust(new UnlinkOp(PathRef.Of("l")), state));
        Assert.NotNull(new ModelPolicy(VfsCapabilities.Posix).Adjust(new OpenOp(PathRef.Of("l"), VfsOpenFlags.Read), state));
    }

    [Fact]
    public void Check_SequentialWriteOnlyStackUnderItsCapabilities_AgreesWithModel()
    {
        var result = ModelHarness.Check(() => new SequentialWriteOnlyVfs(new MemoryVfs()), SequentialWriteOnlyVfs.Limited, new HarnessOptions { MaxTest = 200 });
        output.WriteLine(result.Report);
    }

    [Fact]
    public void Run_SequentialWriteOnlyStackClaimingPosix_IsCaught()
    {
        var result = ModelHarness.Run(() => new SequentialWriteOnlyVfs(new MemoryVfs()), VfsCapabilities.Posix, new HarnessOptions { MaxTest = 200 });
        Assert.False(result.Passed);
        Assert.Equal("EOPNOTSUPP", result.ShrunkRun!.Divergence!.Actual);
    }
}
