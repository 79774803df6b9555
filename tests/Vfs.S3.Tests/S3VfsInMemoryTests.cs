using Vfs.Abstractions;
using Vfs.Testing.S3;

namespace Vfs.S3.Tests;

/// <summary>Paths s3rver cannot take, against an in-memory S3: odd keys, working or missing UploadPartCopy and AbortMultipartUpload, the read-ahead policy.</summary>
public sealed class S3VfsInMemoryTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static (S3Vfs Vfs, InMemoryS3Client S3) Create(Action<S3VfsOptions>? tune = null)
    {
        var s3 = new InMemoryS3Client();
        var options = new S3VfsOptions { Bucket = "bucket", DefaultUid = 1, DefaultGid = 1 };
        tune?.Invoke(options);
        return (new S3Vfs(s3, options), s3);
    }

    private static byte[] Content(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 7 + i / 251)).ToArray();

    [Fact]
    public async Task List_KeysThatAreNoNames_AreSkipped()
    {
        var (vfs, s3) = Create();
        foreach (var key in new[] { "d/ok", "d//double", "d/./dot", "d/../dotdot", "d/.", "d/" + new string('x', 256), "d/" + new string('é', 128) })
            s3.Put(key, [1]);
        Assert.Equal(["ok"], await vfs.ListAsync(VfsPath.Parse("d"), None).Select(e => e.Name).ToListAsync());
        Assert.Equal(["d"], await vfs.ListAsync(VfsPath.Root, None).Select(e => e.Name).ToListAsync());
    }

    [Fact]
    public async Task List_FileAndDirectoryOfSameNameOnDifferentPages_DirectoryWins()
    {
        var (vfs, s3) = Create(o => o.ListingFetchesMetadata = false);
        s3.Put("a", [1]);
        for (int i = 0; i < 1200; i++) s3.Put($"a.{i:D4}", [2]); // "a.NNNN" sorts between "a" and "a/"
        s3.Put("a/inner", [3]);

        var entries = await vfs.ListAsync(VfsPath.Root, None).ToListAsync();
        Assert.Equal(1201, entries.Count);
        Assert.True(entries.Single(e => e.Name == "a").Attributes.IsDirectory);
        Assert.Equal(entries.Count, entries.Select(e => e.Name).Distinct().Count());
        Assert.True(s3.Calls("LIST") >= 2);
    }

    [Fact]
    public async Task Rename_AboveCopyThreshold_UsesUploadPartCopy()
    {
        var (vfs, s3) = Create(o => o.MultipartCopyThreshold = 5 * S3VfsOptions.MiB);
        var content = Content(12 * 1024 * 1024);
        s3.Put("big", content, new Dictionary<string, string> { ["mode"] = "33152" });

        await vfs.RenameAsync(VfsPath.Parse("big"), VfsPath.Parse("moved"), VfsRenameFlags.None, None);

        Assert.Equal(["moved"], s3.Keys);
        Assert.Equal(content, s3.Get("moved"));
        Assert.Equal("33152", s3.MetadataOf("moved")["x-amz-meta-mode"]);
        Assert.Equal(2, s3.Calls("UploadPartCopy")); // 8 MiB parts
        Assert.Equal(0, s3.Calls("GET"));
    }

    [Fact]
    public async Task Rename_UploadPartCopyNotImplemented_FallsBackToGetAndUploadOnce()
    {
        var (vfs, s3) = Create(o => o.MultipartCopyThreshold = 5 * S3VfsOptions.MiB);
        s3.PartCopyNotImplemented = true;
        var content = Content(12 * 1024 * 1024);
        s3.Put("big", content, new Dictionary<string, string> { ["mode"] = "33152", ["mtime"] = "1500000000" });

        await vfs.RenameAsync(VfsPath.Parse("big"), VfsPath.Parse("moved"), VfsRenameFlags.None, None);
        await vfs.RenameAsync(VfsPath.Parse("moved"), VfsPath.Parse("again"), VfsRenameFlags.None, None);

        Assert.Equal(["again"], s3.Keys);
        Assert.Equal(content, s3.Get("again"));
        Assert.Equal("33152", s3.MetadataOf("again")["x-amz-meta-mode"]);
        Assert.Equal("1500000000", s3.MetadataOf("again")["x-amz-meta-mtime"]);
        Assert.Equal(1, s3.Calls("UploadPartCopy")); // learnt once, not asked again
        Assert.True(vfs.Copier.PartCopyUnsupported);
        Assert.Equal(0, s3.OpenUploads);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Remove_WhileMultipartUploadOpen_AbortsAndLeavesNoObject(bool abortNotAllowed)
    {
        var (vfs, s3) = Create(o => o.PartSize = 5 * S3VfsOptions.MiB);
        s3.AbortNotAllowed = abortNotAllowed;
        var file = await vfs.OpenAsync(VfsPath.Parse("f"), VfsOpenFlags.Write | VfsOpenFlags.Create, VfsCreateOptions.File, None);
        await file.WriteAsync(0, Content(11 * 1024 * 1024), None);
        Assert.Equal(1, s3.Calls("CreateMultipartUpload"));

        await vfs.RemoveAsync(VfsPath.Parse("f"), None);
        await file.FlushAsync(None);
        await file.DisposeAsync();
        for (int i = 0; i < 100 && s3.Calls("AbortMultipartUpload") == 0; i++) await Task.Delay(10);

        Assert.Empty(s3.Keys);
        Assert.Equal(1, s3.Calls("AbortMultipartUpload"));
        Assert.Equal(abortNotAllowed ? 1 : 0, s3.OpenUploads);
        Assert.Equal(0, s3.Calls("CompleteMultipartUpload"));
    }

    [Fact]
    public async Task Write_LargeObject_PartsOfPartSizeAndOneComplete()
    {
        var (vfs, s3) = Create(o => o.PartSize = 5 * S3VfsOptions.MiB);
        var content = Content(23 * 1024 * 1024);
        await vfs.WriteAllBytesAsync(VfsPath.Parse("f"), content);
        Assert.Equal(content, s3.Get("f"));
        Assert.Equal(5, s3.Calls("UploadPart"));
        Assert.Equal(0, s3.Calls("PUT"));
    }

    [Fact]
    public async Task Read_SequentialReader_FewLargeGetsAhead()
    {
        var (vfs, s3) = Create();
        var content = Content(32 * 1024 * 1024);
        s3.Put("f", content);
        var file = (S3ReadFile)await vfs.OpenAsync(VfsPath.Parse("f"), VfsOpenFlags.Read, default, None);
        var buffer = new byte[128 * 1024];
        var read = new MemoryStream();
        for (long offset = 0; ; offset += buffer.Length)
        {
            int n = await file.ReadAsync(offset, buffer, None);
            if (n == 0) break;
            read.Write(buffer, 0, n);
        }
        Assert.Equal(content, read.ToArray());
        Assert.True(file.RequestCount <= 32, $"{file.RequestCount} GETs for 256 reads"); // on average at least 1 MiB per GET
        Assert.Equal(content.Length, file.BytesRequested); // nothing fetched twice, nothing past the end
        await file.DisposeAsync();
    }

    [Fact]
    public async Task Read_RandomReader_FetchesWhatItAsksPlusReadahead()
    {
        var (vfs, s3) = Create(o => o.RandomReadahead = 16 * 1024);
        var content = Content(64 * 1024 * 1024);
        s3.Put("f", content);
        var file = (S3ReadFile)await vfs.OpenAsync(VfsPath.Parse("f"), VfsOpenFlags.Read, default, None);
        var random = new Random(42);
        var buffer = new byte[4096];
        for (int i = 0; i < 50; i++)
        {
            long offset = random.NextInt64(1, content.Length / 4096) * 4096 - 100;
            Assert.Equal(4096, await file.ReadAsync(offset, buffer, None));
            Assert.Equal(content.AsSpan((int)offset, 4096).ToArray(), buffer);
        }
        Assert.Equal(50, file.RequestCount);
        Assert.True(file.BytesRequested <= 50 * 16 * 1024, $"{file.BytesRequested} bytes fetched for 50 reads of 4 KiB");
        await file.DisposeAsync();
    }

    [Fact]
    public async Task Read_ObjectChangedWhileOpen_IsESTALE()
    {
        var (vfs, s3) = Create();
        s3.Put("f", Content(1000));
        await using var file = await vfs.OpenAsync(VfsPath.Parse("f"), VfsOpenFlags.Read, default, None);
        s3.Put("f", Content(2000));
        Assert.Equal(Errno.ESTALE, (await Assert.ThrowsAsync<VfsException>(async () => await file.ReadAsync(0, new byte[100], None))).Errno);
    }

    [Fact]
    public async Task Mount_Prefix_SeesOnlyItsKeys()
    {
        var (vfs, s3) = Create(o => o.Prefix = "/team/data/");
        s3.Put("team/data/a", [1]);
        s3.Put("team/other", [2]);
        s3.Put("team/database", [3]);
        Assert.Equal(["a"], await vfs.ListAsync(VfsPath.Root, None).Select(e => e.Name).ToListAsync());
        await vfs.WriteAllBytesAsync(VfsPath.Parse("b"), new byte[] { 4 });
        Assert.Equal([4], s3.Get("team/data/b"));
    }

    [Fact]
    public async Task Write_FlushBeforeAndBetweenWrites_ObjectHasEveryByte()
    {
        // a shell's "echo x > f": open, dup2, close (a flush before any write), write, close
        var (vfs, s3) = Create();
        var file = await vfs.OpenAsync(VfsPath.Parse("f"), VfsOpenFlags.Write | VfsOpenFlags.Create | VfsOpenFlags.Truncate, VfsCreateOptions.File, None);
        await file.FlushAsync(None);
        Assert.Empty(s3.Get("f")); // creat() made the file visible
        await file.WriteAsync(0, new byte[] { 1, 2 }, None);
        await file.FlushAsync(None);
        await file.WriteAsync(2, new byte[] { 3 }, None);
        Assert.Equal(3, (await vfs.GetAttrAsync(VfsPath.Parse("f"), None)).Size);
        await file.FlushAsync(None);
        await file.DisposeAsync();
        Assert.Equal([1, 2, 3], s3.Get("f"));
        Assert.Equal(3, s3.Calls("PUT"));
    }

    [Fact]
    public async Task Write_AfterMultipartCommit_IsEINVAL()
    {
        var (vfs, s3) = Create(o => o.PartSize = 5 * S3VfsOptions.MiB);
        var file = await vfs.OpenAsync(VfsPath.Parse("f"), VfsOpenFlags.Write | VfsOpenFlags.Create, VfsCreateOptions.File, None);
        await file.WriteAsync(0, Content(6 * 1024 * 1024), None);
        await file.FlushAsync(None);
        var error = await Assert.ThrowsAsync<VfsException>(async () => await file.WriteAsync(6 * 1024 * 1024, new byte[] { 1 }, None));
        Assert.Equal(Errno.EINVAL, error.Errno);
        await file.DisposeAsync();
        Assert.Equal(Content(6 * 1024 * 1024), s3.Get("f"));
    }

    [Fact]
    public async Task Remove_WhileBeingRead_HidesNameAndDeletesAtLastClose()
    {
        var (vfs, s3) = Create();
        s3.Put("f", Content(1000));
        var first = await vfs.OpenAsync(VfsPath.Parse("f"), VfsOpenFlags.Read, default, None);
        var second = await vfs.OpenAsync(VfsPath.Parse("f"), VfsOpenFlags.Read, default, None);
        await vfs.RemoveAsync(VfsPath.Parse("f"), None);

        Assert.Null(await vfs.TryGetAttrAsync(VfsPath.Parse("f"), None));
        Assert.Empty(await vfs.ListAsync(VfsPath.Root, None).ToListAsync());
        Assert.Equal(Content(1000)[..100], (await ReadAsync(first, 100)));
        await first.DisposeAsync();
        Assert.Equal(["f"], s3.Keys); // still read by the second handle
        await second.DisposeAsync();
        for (int i = 0; i < 100 && s3.Keys.Count > 0; i++) await Task.Delay(10);
        Assert.Empty(s3.Keys);
    }

    [Fact]
    public async Task Rename_WhileBeingRead_HandleFollowsTheFile()
    {
        var (vfs, s3) = Create();
        s3.Put("f", Content(1000));
        await using var file = await vfs.OpenAsync(VfsPath.Parse("f"), VfsOpenFlags.Read, default, None);
        await vfs.MkdirAsync(VfsPath.Parse("d"), VfsCreateOptions.Directory, None);
        await vfs.RenameAsync(VfsPath.Parse("f"), VfsPath.Parse("d/g"), VfsRenameFlags.None, None);
        await vfs.RenameAsync(VfsPath.Parse("d"), VfsPath.Parse("e"), VfsRenameFlags.None, None);
        Assert.Equal(Content(1000)[..100], await ReadAsync(file, 100));
        Assert.Equal(["e/", "e/g"], s3.Keys);
    }

    private static async Task<byte[]> ReadAsync(IVfsFile file, int count)
    {
        var buffer = new byte[count];
        int n = await file.ReadAsync(0, buffer, None);
        return buffer[..n];
    }
}
