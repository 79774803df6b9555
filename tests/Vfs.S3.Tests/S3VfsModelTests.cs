using Vfs.Abstractions;
using Vfs.Testing.Model;
using Vfs.Testing.S3;
using Xunit.Abstractions;

namespace Vfs.S3.Tests;

/// <summary>
/// The model harness over S3Vfs on s3rver: random sequences of the operations S3Vfs supports (whole-object writes,
/// directories, renames, symlinks, chmod) against MemoryVfs, each sequence in a fresh key prefix of one bucket.
/// </summary>
[Collection(S3rverCollection.Name)]
public sealed class S3VfsModelTests(S3rverFixture server, ITestOutputHelper output)
{
    /// <summary>
    /// S3's rules on top of the capabilities: one writer per object, and no replacing an object that is open.
    /// A reader is pinned to the version it opened (ESTALE once replaced) where the model's reader keeps the old
    /// inode, and a reader of an object being written sees the previous version where the model's sees the bytes so
    /// far (or EBUSY for a new file); a directory with a file being written below it cannot be renamed (EBUSY). The
    /// unit tests pin those.
    /// </summary>
    private sealed class S3Policy(VfsCapabilities capabilities) : ModelPolicy(capabilities)
    {
        public override ModelOp? Adjust(ModelOp op, ModelState state)
        {
            var adjusted = base.Adjust(op, state);
            return adjusted switch
            {
                OpenOp open when IsOpen(state, open.Path.Literal) => null,
                TreeOp when state.Handles.Any(h => h.CanWrite || h.Flags.HasFlag(VfsOpenFlags.Create)) => null, // it reads every file, those being written too
                UnlinkOp unlink when IsOpen(state, unlink.Path.Literal) => null,
                RenameOp rename when IsOpen(state, rename.To.Literal) || HasWriterAtOrBelow(state, rename.From.Literal) => null,
                _ => adjusted,
            };
        }

        private static bool IsOpen(ModelState state, VfsPath path) => state.Handles.Any(h => h.Path is { } p && p.IsSameOrDescendantOf(path));

        private static bool HasWriterAtOrBelow(ModelState state, VfsPath path) =>
            state.Handles.Any(h => h.CanWrite && h.Path is { } p && p.IsSameOrDescendantOf(path));
    }

    [Fact]
    public async Task Model_RandomSequences_AgreeWithMemoryVfs()
    {
        var bucket = await server.CreateBucketAsync();
        int sequence = 0;
        var capabilities = S3TestContext.Create(server, S3TestContext.Options(server, bucket)).Capabilities;
        var result = ModelHarness.Check(
            () => S3TestContext.Create(server, S3TestContext.Options(server, bucket, $"seq {Interlocked.Increment(ref sequence)}")),
            capabilities,
            new HarnessOptions { MaxTest = 60, Policy = caps => new S3Policy(caps) });
        output.WriteLine($"{sequence} sequences run");
        Assert.True(result.Passed);
    }

    private S3Vfs Fresh(string bucket, ref int sequence) =>
        S3TestContext.Create(server, S3TestContext.Options(server, bucket, $"regression {Interlocked.Increment(ref sequence)}"));


    // shrunk failures the harness found, kept as named regression tests

    [Fact]
    public async Task Regression_RenameMissingSourceIntoFile_IsEnotdirAsLinux()
    {
        var bucket = await server.CreateBucketAsync();
        int n = 0;
        ModelHarness.AssertScript(() => Fresh(bucket, ref n), await CapabilitiesOfAsync(bucket), """
            open /d w,creat,trunc => h0
            mkdir /b => dir mode=0755
            rename /b/d /d/b => ENOTDIR
            """);
    }

    [Fact]
    public async Task Regression_ChmodRoot_IsKept()
    {
        var bucket = await server.CreateBucketAsync();
        int n = 0;
        ModelHarness.AssertScript(() => Fresh(bucket, ref n), await CapabilitiesOfAsync(bucket), """
            chmod / 0700 => dir mode=0700
            stat / => dir mode=0700
            """);
    }

    [Fact]
    public async Task Regression_ListOfFileCreatedReadOnly_IsEnotdir()
    {
        var bucket = await server.CreateBucketAsync();
        int n = 0;
        ModelHarness.AssertScript(() => Fresh(bucket, ref n), await CapabilitiesOfAsync(bucket), """
            open /a r,creat => h0
            list /a => ENOTDIR
            close h0 => ok
            stat /a => file size=0 mode=0644
            """);
    }

    [Fact]
    public async Task Regression_ChmodWhileOpen_ShowsInFstat()
    {
        var bucket = await server.CreateBucketAsync();
        int n = 0;
        ModelHarness.AssertScript(() => Fresh(bucket, ref n), await CapabilitiesOfAsync(bucket), """
            open /a r,creat => h0
            flush h0 => ok
            chmod /a 0744 => file size=0 mode=0744
            fstat h0 => file size=0 mode=0744
            """);
    }

    private async Task<VfsCapabilities> CapabilitiesOfAsync(string bucket)
    {
        await using var probe = S3TestContext.Create(server, S3TestContext.Options(server, bucket));
        return probe.Capabilities;
    }
}
