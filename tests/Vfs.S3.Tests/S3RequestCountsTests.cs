using System.Text;
using Vfs.Abstractions;
using Vfs.Testing.S3;

namespace Vfs.S3.Tests;

/// <summary>The mount's request counts against the in-memory S3's own, and the requests a small-file create costs.</summary>
public sealed class S3RequestCountsTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static (S3Vfs Vfs, InMemoryS3Client S3) Create(Action<S3VfsOptions>? tune = null)
    {
        var s3 = new InMemoryS3Client();
        var options = new S3VfsOptions { Bucket = "bucket", DefaultUid = 1, DefaultGid = 1, RequestCountsFile = null };
        tune?.Invoke(options);
        return (new S3Vfs(s3, options), s3);
    }

    [Fact]
    public async Task Requests_MixedWorkload_MatchServerCallsByKind()
    {
        var (vfs, s3) = Create();
        s3.Put("d/", []);
        s3.Put("d/a", [1, 2, 3]);
        await vfs.ListAsync(VfsPath.Parse("d"), None).ToListAsync();
        await using (var file = await vfs.OpenAsync(VfsPath.Parse("d/b"), VfsOpenFlags.Write | VfsOpenFlags.Create, VfsCreateOptions.File, None))
        {
            await file.WriteAsync(0, Encoding.UTF8.GetBytes("x\n"), None);
            await file.FlushAsync(None);
        }
        await using (var file = await vfs.OpenAsync(VfsPath.Parse("d/a"), VfsOpenFlags.Read, default, None))
            await file.ReadAsync(0, new byte[3], None);
        await vfs.RenameAsync(VfsPath.Parse("d/a"), VfsPath.Parse("d/c"), VfsRenameFlags.None, None);

        foreach (var kind in new[] { "HEAD", "LIST", "GET", "PUT", "COPY" })
            Assert.Equal(s3.Calls(kind), vfs.Requests[kind]);
        Assert.Equal(s3.Calls("DELETE"), vfs.Requests["DELETE"] + vfs.Requests["DeleteObjects"]);
        Assert.True(vfs.Requests["GET"] >= 1);
        Assert.Equal(vfs.Requests.Snapshot().Values.Sum(), vfs.Requests.Total);
        Assert.StartsWith($"total={vfs.Requests.Total} ", vfs.Requests.ToString());
    }

    [Fact]
    public async Task Open_CreateInDirectoryWithMarker_ThreeRequestsBeforeUploadAndOnePut()
    {
        var (vfs, s3) = Create();
        s3.Put("d/", []);

        await using (var file = await vfs.OpenAsync(VfsPath.Parse("d/new"), VfsOpenFlags.Write | VfsOpenFlags.Create | VfsOpenFlags.Truncate, VfsCreateOptions.File, None))
        {
            // HEAD and LIST of the name, one LIST of the parent (no HEAD of its marker, no HEAD of the parent as a file)
            Assert.Equal(1, vfs.Requests["HEAD"]);
            Assert.Equal(2, vfs.Requests["LIST"]);
            await file.WriteAsync(0, Encoding.UTF8.GetBytes("x\n"), None);
            await file.FlushAsync(None);
        }

        Assert.Equal(1, vfs.Requests["PUT"]);
        Assert.Equal(4, vfs.Requests.Total);
        Assert.Equal("x\n"u8.ToArray(), s3.Get("d/new"));
    }

    [Fact]
    public async Task Open_CreateBelowFileOrMissingDirectory_StillTellsEnotdirFromEnoent()
    {
        var (vfs, s3) = Create();
        s3.Put("file", [1]);

        var belowFile = await Assert.ThrowsAsync<VfsException>(async () =>
            await vfs.OpenAsync(VfsPath.Parse("file/new"), VfsOpenFlags.Write | VfsOpenFlags.Create, VfsCreateOptions.File, None));
        var belowMissing = await Assert.ThrowsAsync<VfsException>(async () =>
            await vfs.OpenAsync(VfsPath.Parse("missing/new"), VfsOpenFlags.Write | VfsOpenFlags.Create, VfsCreateOptions.File, None));
        var mkdirBelowFile = await Assert.ThrowsAsync<VfsException>(async () =>
            await vfs.MkdirAsync(VfsPath.Parse("file/dir"), VfsCreateOptions.Directory, None));

        Assert.Equal(Errno.ENOTDIR, belowFile.Errno);
        Assert.Equal(Errno.ENOENT, belowMissing.Errno);
        Assert.Equal(Errno.ENOTDIR, mkdirBelowFile.Errno);
    }

    [Fact]
    public async Task DisposeAsync_RequestCountsFileSet_AppendsOneSummaryLine()
    {
        string file = Path.Combine(Path.GetTempPath(), $"s3-counts-{Guid.NewGuid():N}.txt");
        try
        {
            var (vfs, _) = Create(o => o.RequestCountsFile = file);
            await vfs.TryGetAttrAsync(VfsPath.Parse("nothing"), None);
            await vfs.DisposeAsync();

            Assert.Equal(["s3 requests: total=2 HEAD=1 LIST=1"], await File.ReadAllLinesAsync(file));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
