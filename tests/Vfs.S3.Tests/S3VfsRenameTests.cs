using System.Diagnostics;
using Vfs.Abstractions;
using Vfs.Testing.S3;
using Xunit.Abstractions;

namespace Vfs.S3.Tests;

/// <summary>Renames on s3rver: a directory of hundreds of objects, and an object above the multipart-copy threshold (s3rver lacks UploadPartCopy).</summary>
[Collection(S3rverCollection.Name)]
public sealed class S3VfsRenameTests(S3rverFixture server, ITestOutputHelper output)
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Rename_DirectoryOfHundredsOfObjects_MovesEveryKeyWithItsBytes()
    {
        var (vfs, bucket) = await S3TestContext.CreateAsync(server, "mount point");
        await using var _ = vfs;
        await vfs.MkdirAsync(VfsPath.Parse("src"), VfsCreateOptions.Directory, None);
        await vfs.MkdirAsync(VfsPath.Parse("src/sub"), VfsCreateOptions.Directory, None);
        const int count = 300;
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, token) =>
            await server.PutAsync(bucket, $"mount point/src/{(i % 3 == 0 ? "sub/" : "")}f {i:D3}+é", [(byte)i, (byte)(i >> 8)]));
        await server.PutAsync(bucket, "mount point/src/deep/er/x", [7]); // an implicit directory, nested
        await server.PutAsync(bucket, "mount point/srcfile", [8]);        // shares the prefix "src" but not "src/"

        var watch = Stopwatch.StartNew();
        await vfs.RenameAsync(VfsPath.Parse("src"), VfsPath.Parse("dst"), VfsRenameFlags.None, None);
        output.WriteLine($"renamed a directory of {count + 3} objects in {watch.Elapsed.TotalSeconds:F1} s");

        var keys = await server.ListKeysAsync(bucket);
        Assert.DoesNotContain(keys, k => k.StartsWith("mount point/src/", StringComparison.Ordinal));
        Assert.Contains("mount point/srcfile", keys);
        Assert.Equal(count + 3, keys.Count(k => k.StartsWith("mount point/dst/", StringComparison.Ordinal))); // + 2 markers + deep/er/x
        for (int i = 0; i < count; i += 37)
            Assert.Equal([(byte)i, (byte)(i >> 8)], await server.GetBytesAsync(bucket, $"mount point/dst/{(i % 3 == 0 ? "sub/" : "")}f {i:D3}+é"));
        Assert.Equal(count / 3, await vfs.ListAsync(VfsPath.Parse("dst/sub"), None).CountAsync());
        Assert.True((await vfs.GetAttrAsync(VfsPath.Parse("dst/deep/er"), None)).IsDirectory);
        Assert.Null(await vfs.TryGetAttrAsync(VfsPath.Parse("src"), None));
    }

    [Fact]
    public async Task Rename_AboveMultipartCopyThreshold_FallsBackToGetAndUploadOnS3rver()
    {
        var (vfs, bucket) = await S3TestContext.CreateAsync(server, tune: o => o.MultipartCopyThreshold = 5 * S3VfsOptions.MiB);
        await using var _ = vfs;
        var content = Enumerable.Range(0, 11 * 1024 * 1024).Select(i => (byte)(i % 251)).ToArray();
        await vfs.WriteAllBytesAsync(VfsPath.Parse("big"), content);
        await vfs.SetAttrAsync(VfsPath.Parse("big"), new VfsAttributeChanges { Mode = 0b110_000_000 }, None);

        await vfs.RenameAsync(VfsPath.Parse("big"), VfsPath.Parse("moved"), VfsRenameFlags.None, None);

        Assert.True(vfs.Copier.PartCopyUnsupported); // s3rver answered UploadPartCopy with 501
        Assert.Equal(["moved"], await server.ListKeysAsync(bucket));
        Assert.Equal(content, await server.GetBytesAsync(bucket, "moved"));
        Assert.Equal(0b110_000_000, (await vfs.GetAttrAsync(VfsPath.Parse("moved"), None)).Mode);
    }
}
