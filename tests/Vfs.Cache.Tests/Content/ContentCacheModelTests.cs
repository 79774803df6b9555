using FsCheck.Fluent;
using Vfs.Abstractions;
using Vfs.Abstractions.Memory;
using Vfs.Cache.Content;
using Vfs.Testing.Model;

namespace Vfs.Cache.Tests.Content;

/// <summary>
/// The model harness over ContentCacheVfs on MemoryVfs, with 4-byte blocks (so the harness's short files span many
/// blocks) and three operations of its own: "crash" (flush the open handles, then drop the cache as kill -9 would and
/// reopen it over the same directory and store), "evict" (empty the cache of everything evictable), "upload" (let
/// the write-back delay pass and run the uploader) and "drain" (upload everything, then the store itself must hold
/// the reference's tree). After each sequence the cache is disposed (drained) and the store is compared once more.
/// </summary>
public sealed class ContentCacheModelTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)] // over a store that refuses anything but whole-object, sequential writes (as S3Vfs)
    public async Task Model_CacheOverMemory_WithCrashEvictUploadDrain_AgreesWithReference(bool wholeObjectOnly)
    {
        CacheStack? stack = null;
        IVfs? reference = null;
        var options = new HarnessOptions
        {
            MaxTest = 150,
            MaxOps = 40,
            CreateReference = () => reference = new MemoryVfs(),
            ExtraOps =
            [
                new ModelOpGenerator(2, Gen.Constant<ModelOp>(new CrashOp())),
                new ModelOpGenerator(2, Gen.Constant<ModelOp>(new EvictOp())),
                new ModelOpGenerator(3, Gen.Constant<ModelOp>(new UploadOp())),
                new ModelOpGenerator(1, Gen.Constant<ModelOp>(new DrainOp())),
            ],
            // Runs after the cache was disposed, which drained it: the store itself must now hold the reference's tree.
            AfterRun = async () =>
            {
                string expected = await ModelTree.RenderAsync(reference!, VfsCapabilities.Posix, CancellationToken.None);
                string actual = await ModelTree.RenderAsync(stack!.Store, VfsCapabilities.Posix, CancellationToken.None);
                stack.DeleteDirectory();
                if (expected != actual)
                    throw new InvalidOperationException($"the store after drain differs from the reference:\nexpected:\n{expected}\nactual:\n{actual}");
                if (stack.Refusals > 0)
                    throw new InvalidOperationException($"the cache asked the whole-object-only store for {stack.Refusals} other writes");
            },
        };
        var result = ModelHarness.Check(() => stack = new CacheStack(wholeObjectOnly), VfsCapabilities.Posix, options);
        Assert.True(result.Passed, result.Report);
        await Task.CompletedTask;
    }

    /// <summary>Found by the model harness: over a whole-object-only store, an exclusive create of an existing directory must still be EEXIST.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Regression_ExclusiveCreateOverDirectory_IsEexist(bool wholeObjectOnly)
    {
        CacheStack? stack = null;
        try
        {
            ModelHarness.AssertScript(() => stack = new CacheStack(wholeObjectOnly), VfsCapabilities.Posix, """
                mkdir /b
                open /b w,creat,excl => EEXIST
                """);
        }
        finally
        {
            stack?.DeleteDirectory();
        }
    }

    /// <summary>The system under test: a ContentCacheVfs that a crash replaces with a fresh one over the same directory and store.</summary>
    internal sealed class CacheStack : IVfs
    {
        private readonly string _directory = Path.Combine(Path.GetTempPath(), "contentcache-model-" + Guid.NewGuid().ToString("N"));
        private readonly ManualClock _clock = new();
        private readonly IVfs _below;

        public CacheStack(bool wholeObjectOnly)
        {
            var store = new NonOwning(Store);
            _below = wholeObjectOnly ? new WholeObjectOnlyVfs(store) : store;
            Cache = Open();
        }

        public MemoryVfs Store { get; } = new();

        /// <summary>Requests the whole-object-only store refused (0 when there is none).</summary>
        public int Refusals => (_below as WholeObjectOnlyVfs)?.Refusals ?? 0;

        public ContentCacheVfs Cache { get; private set; }

        public VfsCapabilities Capabilities => Cache.Capabilities;

        private ContentCacheVfs Open() => new(_below, new ContentCacheOptions
        {
            CacheDirectory = _directory,
            BlockSize = 4,
            AllowTinyBlocksForTests = true,
            CacheSizeBytes = 64,
            WriteBackDelay = TimeSpan.FromSeconds(5),
            RunBackgroundLoops = false,
        }, _clock);

        public async ValueTask CrashAndReopenAsync()
        {
            await Cache.AbandonAsync();
            Cache = Open();
        }

        public async ValueTask UploadDueAsync()
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            await Cache.RunUploadsAsync();
        }

        public void DeleteDirectory()
        {
            if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
        }

        public ValueTask<VfsAttributes?> TryGetAttrAsync(VfsPath path, CancellationToken cancellationToken) => Cache.TryGetAttrAsync(path, cancellationToken);

        public IAsyncEnumerable<VfsEntry> ListAsync(VfsPath path, CancellationToken cancellationToken) => Cache.ListAsync(path, cancellationToken);

        public ValueTask<VfsAttributes> MkdirAsync(VfsPath path, VfsCreateOptions options, CancellationToken cancellationToken) => Cache.MkdirAsync(path, options, cancellationToken);

        public ValueTask RemoveAsync(VfsPath path, CancellationToken cancellationToken) => Cache.RemoveAsync(path, cancellationToken);

        public ValueTask RmdirAsync(VfsPath path, CancellationToken cancellationToken) => Cache.RmdirAsync(path, cancellationToken);

        public ValueTask RenameAsync(VfsPath from, VfsPath to, VfsRenameFlags flags, CancellationToken cancellationToken) => Cache.RenameAsync(from, to, flags, cancellationToken);

        public ValueTask<VfsAttributes> SetAttrAsync(VfsPath path, VfsAttributeChanges changes, CancellationToken cancellationToken) => Cache.SetAttrAsync(path, changes, cancellationToken);

        public ValueTask<VfsAttributes> SymlinkAsync(VfsPath path, string target, VfsCreateOptions options, CancellationToken cancellationToken) => Cache.SymlinkAsync(path, target, options, cancellationToken);

        public ValueTask<string> ReadlinkAsync(VfsPath path, CancellationToken cancellationToken) => Cache.ReadlinkAsync(path, cancellationToken);

        public ValueTask<IVfsFile> OpenAsync(VfsPath path, VfsOpenFlags flags, VfsCreateOptions options, CancellationToken cancellationToken) => Cache.OpenAsync(path, flags, options, cancellationToken);

        public ValueTask<VfsStatFs> StatFsAsync(CancellationToken cancellationToken) => Cache.StatFsAsync(cancellationToken);

        public ValueTask DisposeAsync() => Cache.DisposeAsync();

        private sealed class NonOwning(IVfs inner) : ForwardingVfs(inner)
        {
            public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// kill -9 of the cache and a restart over the same directory. Open handles are flushed first (flushed data must
    /// survive a crash; unflushed data may or may not, which a reference cannot model), then forgotten unreleased.
    /// </summary>
    internal sealed record CrashOp : ModelOp
    {
        public override async ValueTask<ModelStep> ExecuteAsync(ModelRun run, CancellationToken cancellationToken)
        {
            var outcome = await ModelOutcome.CaptureAsync(async () =>
            {
                foreach (var file in run.Sut.Files.Values) await file.FlushAsync(cancellationToken);
                await run.ForgetHandlesAsync(releaseSut: false);
                await ((CacheStack)run.Sut.Vfs).CrashAndReopenAsync();
                return "ok";
            });
            return new ModelStep(this, "ok", outcome);
        }

        public override string ToString() => "crash";
    }

    /// <summary>Evicts everything evictable (clean, unopened objects); the reference has nothing to evict.</summary>
    internal sealed record EvictOp : ModelOp
    {
        public override async ValueTask<ModelStep> ExecuteAsync(ModelRun run, CancellationToken cancellationToken)
        {
            var outcome = await ModelOutcome.CaptureAsync(() =>
            {
                ((CacheStack)run.Sut.Vfs).Cache.EvictTo(0);
                return ValueTask.FromResult("ok");
            });
            return new ModelStep(this, "ok", outcome);
        }

        public override string ToString() => "evict";
    }

    /// <summary>Uploads every dirty object now; the outcome compared is the store's whole tree against the reference's.</summary>
    internal sealed record DrainOp : ModelOp
    {
        public override async ValueTask<ModelStep> ExecuteAsync(ModelRun run, CancellationToken cancellationToken)
        {
            var expected = await ModelOutcome.CaptureAsync(() => ModelTree.RenderAsync(run.Reference.Vfs, run.Capabilities, cancellationToken));
            var actual = await ModelOutcome.CaptureAsync(async () =>
            {
                var stack = (CacheStack)run.Sut.Vfs;
                int failed = await stack.Cache.DrainAsync(null, cancellationToken);
                if (failed > 0) return $"{failed} uploads failed";
                return await ModelTree.RenderAsync(stack.Store, run.Capabilities, cancellationToken);
            });
            return new ModelStep(this, expected, actual);
        }

        public override string ToString() => "drain";
    }

    /// <summary>Lets the write-back delay pass and runs the uploader, so uploads interleave with everything else.</summary>
    internal sealed record UploadOp : ModelOp
    {
        public override async ValueTask<ModelStep> ExecuteAsync(ModelRun run, CancellationToken cancellationToken)
        {
            var outcome = await ModelOutcome.CaptureAsync(async () =>
            {
                await ((CacheStack)run.Sut.Vfs).UploadDueAsync();
                return "ok";
            });
            return new ModelStep(this, "ok", outcome);
        }

        public override string ToString() => "upload";
    }
}
