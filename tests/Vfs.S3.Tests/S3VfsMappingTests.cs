using System.Text;
using Vfs.Abstractions;
using Vfs.Testing.S3;

namespace Vfs.S3.Tests;

/// <summary>The S3 mapping rules of DESIGN.md, checked against s3rver and by looking at the stored objects with the raw SDK.</summary>
[Collection(S3rverCollection.Name)]
public sealed class S3VfsMappingTests(S3rverFixture server)
{
    private static readonly CancellationToken None = CancellationToken.None;

    public static TheoryData<string> Prefixes => new() { "", "pre fix/a+b=c/ünï 日本" };

    private static string K(string prefix, string path) => S3Key.NormalizePrefix(prefix) + path;

    [Theory]
    [MemberData(nameof(Prefixes))]
    public async Task WriteAllBytes_File_StoresTheBytesWrittenUnderThePrefix(string prefix)
    {
        var (vfs, bucket) = await S3TestContext.CreateAsync(server, prefix);
        await using var _ = vfs;
        var content = Encoding.UTF8.GetBytes("hello world, plain bytes");
        await vfs.MkdirAsync(VfsPath.Parse("dir with space"), VfsCreateOptions.Directory, None);
        await vfs.WriteAllBytesAsync(VfsPath.Parse("dir with space/f+1 é.txt"), content);

        Assert.Equal(content, await server.GetBytesAsync(bucket, K(prefix, "dir with space/f+1 é.txt")));
        Assert.Equal([K(prefix, "dir with space/"), K(prefix, "dir with space/f+1 é.txt")], await server.ListKeysAsync(bucket));
        Assert.Equal(content, await vfs.ReadAllBytesAsync(VfsPath.Parse("dir with space/f+1 é.txt")));
    }

    [Theory]
    [MemberData(nameof(Prefixes))]
    public async Task Mkdir_WritesMarkerWithS3fsMetadata(string prefix)
    {
        var (vfs, bucket) = await S3TestContext.CreateAsync(server, prefix);
        await using var _ = vfs;
        var attributes = await vfs.MkdirAsync(VfsPath.Parse("d"), new VfsCreateOptions(0b111_000_000, 42, 43), None);

        Assert.True(attributes.IsDirectory);
        var head = await server.Client.GetObjectMetadataAsync(bucket, K(prefix, "d/"));
        Assert.Equal(0, head.ContentLength);
        Assert.Equal("16832", head.Metadata["x-amz-meta-mode"]); // 040700
        Assert.Equal("42", head.Metadata["x-amz-meta-uid"]);
        Assert.Equal("43", head.Metadata["x-amz-meta-gid"]);
        var seen = await vfs.GetAttrAsync(VfsPath.Parse("d"), None);
        Assert.Equal((VfsEntryKind.Directory, 0b111_000_000, 42u, 43u), (seen.Kind, seen.Mode, seen.Uid, seen.Gid));
        Assert.Equal([new VfsEntry("d", seen) with { }], await vfs.ListAsync(VfsPath.Root, None).Select(e => e with { Attributes = seen }).ToListAsync());
    }

    [Fact]
    public async Task List_ImplicitAndNestedDirectories_ShowAsDirectories()
    {
        var (vfs, bucket) = await S3TestContext.CreateAsync(server);
        await using var _ = vfs;
        await server.PutAsync(bucket, "a/b/c.txt", [1, 2]);
        await server.PutAsync(bucket, "top.txt", [3]);

        var root = await vfs.ListAsync(VfsPath.Root, None).ToListAsync();
        Assert.Equal(["a", "top.txt"], root.Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.True(root.Single(e => e.Name == "a").Attributes.IsDirectory);
        Assert.Equal(1, root.Single(e => e.Name == "top.txt").Attributes.Size);
        Assert.True((await vfs.GetAttrAsync(VfsPath.Parse("a/b"), None)).IsDirectory);
        Assert.Equal(2, (await vfs.GetAttrAsync(VfsPath.Parse("a/b/c.txt"), None)).Size);
        Assert.Null(await vfs.TryGetAttrAsync(VfsPath.Parse("a/x"), None));
        await Assert.ThrowsAsync<VfsException>(async () => await vfs.ListAsync(VfsPath.Parse("nope"), None).ToListAsync());
    }

    [Fact]
    public async Task List_FileBesideDirectoryOfSameName_DirectoryWins()
    {
        var (vfs, bucket) = await S3TestContext.CreateAsync(server);
        await using var _ = vfs;
        await server.PutAsync(bucket, "a", [1]);
        await server.PutAsync(bucket, "a.txt", [2]);
        await server.PutAsync(bucket, "a/inner", [3]);

        var root = await vfs.ListAsync(VfsPath.Root, None).ToListAsync();
        Assert.Equal(["a", "a.txt"], root.Select(e => e.Name));
        Assert.True(root[0].Attributes.IsDirectory);
        Assert.True((await vfs.GetAttrAsync(VfsPath.Parse("a"), None)).IsDirectory);
    }

    [Fact]
    public async Task GetAttr_ObjectsWrittenByS3fsAndRclone_ReadTheirMetadata()
    {
        var (vfs, bucket) = await S3TestContext.CreateAsync(server);
        await using var _ = vfs;
        await server.PutAsync(bucket, "s3fs.txt", [1, 2, 3], new Dictionary<string, string>
        {
            ["mode"] = "33261", ["uid"] = "501", ["gid"] = "20", ["mtime"] = "1700000000",
        });
        await server.PutAsync(bucket, "rclone.txt", [1], new Dictionary<string, string> { ["mtime"] = "1700000000.25" });
        await server.PutAsync(bucket, "link", Encoding.UTF8.GetBytes("../target"), new Dictionary<string, string> { ["mode"] = "41471" });

        var s3fs = await vfs.GetAttrAsync(VfsPath.Parse("s3fs.txt"), None);
        Assert.Equal((VfsEntryKind.File, 0b111_101_101, 501u, 20u, 3L), (s3fs.Kind, s3fs.Mode, s3fs.Uid, s3fs.Gid, s3fs.Size));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), s3fs.ModifiedTime);
        var rclone = await vfs.GetAttrAsync(VfsPath.Parse("rclone.txt"), None);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_250), rclone.ModifiedTime);
        Assert.Equal((0b110_100_100, 1000u), (rclone.Mode, rclone.Uid)); // the defaults
        Assert.True((await vfs.GetAttrAsync(VfsPath.Parse("link"), None)).IsSymlink);
        Assert.Equal("../target", await vfs.ReadlinkAsync(VfsPath.Parse("link"), None));

        var listed = await vfs.ListAsync(VfsPath.Root, None).ToDictionaryAsync(e => e.Name, e => e.Attributes);
        Assert.Equal(s3fs, listed["s3fs.txt"]);
        Assert.True(listed["link"].IsSymlink);
    }

    [Theory]
    [MemberData(nameof(Prefixes))]
    public async Task Symlink_StoresTargetAsBodyWithLinkMode(string prefix)
    {
        var (vfs, bucket) = await S3TestContext.CreateAsync(server, prefix);
        await using var _ = vfs;
        await vfs.SymlinkAsync(VfsPath.Parse("l"), "some/where é", new VfsCreateOptions(0, 7, 8), None);

        Assert.Equal(Encoding.UTF8.GetBytes("some/where é"), await server.GetBytesAsync(bucket, K(prefix, "l")));
        var head = await server.Client.GetObjectMetadataAsync(bucket, K(prefix, "l"));
        Assert.Equal("41471", head.Metadata["x-amz-meta-mode"]); // 0120777
        Assert.Equal("some/where é", await vfs.ReadlinkAsync(VfsPath.Parse("l"), None));
        Assert.True((await vfs.GetAttrAsync(VfsPath.Parse("l"), None)).IsSymlink);
    }

    [Fact]
    public async Task SetAttr_ModeOwnerTimes_StoredAsS3fsMetadataWithContentKept()
    {
        var (vfs, bucket) = await S3TestContext.CreateAsync(server);
        await using var _ = vfs;
        await vfs.WriteAllBytesAsync(VfsPath.Parse("f"), new byte[] { 9, 8, 7 });
        var mtime = DateTimeOffset.FromUnixTimeSeconds(1_600_000_000);
        var result = await vfs.SetAttrAsync(VfsPath.Parse("f"), new VfsAttributeChanges { Mode = 0b110_000_000, Uid = 5, Gid = 6, ModifiedTime = mtime }, None);

        var head = await server.Client.GetObjectMetadataAsync(bucket, "f");
        Assert.Equal("33152", head.Metadata["x-amz-meta-mode"]); // 0100600
        Assert.Equal("5", head.Metadata["x-amz-meta-uid"]);
        Assert.Equal("1600000000", head.Metadata["x-amz-meta-mtime"]);
        Assert.Equal([9, 8, 7], await server.GetBytesAsync(bucket, "f"));
        var seen = await vfs.GetAttrAsync(VfsPath.Parse("f"), None);
        Assert.Equal((0b110_000_000, 5u, 6u, mtime), (seen.Mode, seen.Uid, seen.Gid, seen.ModifiedTime));
        Assert.Equal((result.Mode, result.Uid, result.Gid, result.ModifiedTime), (seen.Mode, seen.Uid, seen.Gid, seen.ModifiedTime));
    }

    [Fact]
    public async Task SetAttr_SizeZero_EmptiesTheObject_OtherSizesAreNotSupported()
    {
        var (vfs, bucket) = await S3TestContext.CreateAsync(server);
        await using var _ = vfs;
        await vfs.WriteAllBytesAsync(VfsPath.Parse("f"), new byte[] { 1, 2, 3 });
        var error = await Assert.ThrowsAsync<VfsException>(async () => await vfs.SetAttrAsync(VfsPath.Parse("f"), new VfsAttributeChanges { Size = 1 }, None));
        Assert.Equal(Errno.ENOTSUP, error.Errno);
        await vfs.SetAttrAsync(VfsPath.Parse("f"), new VfsAttributeChanges { Size = 0 }, None);
        Assert.Empty(await server.GetBytesAsync(bucket, "f"));
    }

    [Fact]
    public async Task Rmdir_NonEmpty_IsENOTEMPTY_Empty_RemovesMarker()
    {
        var (vfs, bucket) = await S3TestContext.CreateAsync(server);
        await using var _ = vfs;
        await vfs.MkdirAsync(VfsPath.Parse("d"), VfsCreateOptions.Directory, None);
        await vfs.WriteAllBytesAsync(VfsPath.Parse("d/f"), new byte[] { 1 });
        var error = await Assert.ThrowsAsync<VfsException>(async () => await vfs.RmdirAsync(VfsPath.Parse("d"), None));
        Assert.Equal(Errno.ENOTEMPTY, error.Errno);
        Assert.Equal(Errno.EISDIR, (await Assert.ThrowsAsync<VfsException>(async () => await vfs.RemoveAsync(VfsPath.Parse("d"), None))).Errno);
        Assert.Equal(Errno.ENOTDIR, (await Assert.ThrowsAsync<VfsException>(async () => await vfs.RmdirAsync(VfsPath.Parse("d/f"), None))).Errno);

        await vfs.RemoveAsync(VfsPath.Parse("d/f"), None);
        Assert.True((await vfs.GetAttrAsync(VfsPath.Parse("d"), None)).IsDirectory); // the marker keeps it
        await vfs.RmdirAsync(VfsPath.Parse("d"), None);
        Assert.Empty(await server.ListKeysAsync(bucket));
        Assert.Null(await vfs.TryGetAttrAsync(VfsPath.Parse("d"), None));
    }

    [Theory]
    [MemberData(nameof(Prefixes))]
    public async Task Rename_File_CopiesWithMetadataAndDeletesSource(string prefix)
    {
        var (vfs, bucket) = await S3TestContext.CreateAsync(server, prefix);
        await using var _ = vfs;
        await vfs.WriteAllBytesAsync(VfsPath.Parse("a b+c"), new byte[] { 1, 2, 3 });
        await vfs.SetAttrAsync(VfsPath.Parse("a b+c"), new VfsAttributeChanges { Mode = 0b111_000_000 }, None);
        await vfs.MkdirAsync(VfsPath.Parse("d"), VfsCreateOptions.Directory, None);

        await vfs.RenameAsync(VfsPath.Parse("a b+c"), VfsPath.Parse("d/x%y é"), VfsRenameFlags.None, None);

        Assert.Equal([K(prefix, "d/"), K(prefix, "d/x%y é")], await server.ListKeysAsync(bucket));
        Assert.Equal([1, 2, 3], await server.GetBytesAsync(bucket, K(prefix, "d/x%y é")));
        Assert.Equal(0b111_000_000, (await vfs.GetAttrAsync(VfsPath.Parse("d/x%y é"), None)).Mode);
    }

    [Fact]
    public async Task Rename_Errors_FollowPosix()
    {
        var (vfs, _) = await S3TestContext.CreateAsync(server);
        await using var __ = vfs;
        await vfs.WriteAllBytesAsync(VfsPath.Parse("f"), new byte[] { 1 });
        await vfs.WriteAllBytesAsync(VfsPath.Parse("g"), new byte[] { 2 });
        await vfs.MkdirAsync(VfsPath.Parse("d"), VfsCreateOptions.Directory, None);
        await vfs.WriteAllBytesAsync(VfsPath.Parse("d/x"), new byte[] { 3 });

        async Task<Errno> Fails(string from, string to, VfsRenameFlags flags = VfsRenameFlags.None) =>
            (await Assert.ThrowsAsync<VfsException>(async () => await vfs.RenameAsync(VfsPath.Parse(from), VfsPath.Parse(to), flags, None))).Errno;

        Assert.Equal(Errno.ENOENT, await Fails("missing", "x"));
        Assert.Equal(Errno.EISDIR, await Fails("f", "d"));
        Assert.Equal(Errno.ENOTDIR, await Fails("d", "f"));
        Assert.Equal(Errno.EINVAL, await Fails("d", "d/sub"));
        Assert.Equal(Errno.EEXIST, await Fails("f", "g", VfsRenameFlags.NoReplace));
        Assert.Equal(Errno.ENOENT, await Fails("f", "nodir/f"));
        await vfs.RenameAsync(VfsPath.Parse("f"), VfsPath.Parse("g"), VfsRenameFlags.None, None);
        Assert.Equal([1], await vfs.ReadAllBytesAsync(VfsPath.Parse("g")));
    }

    [Fact]
    public async Task Open_CreatedFile_VisibleBeforeUpload_AndWritesAreSequentialOnly()
    {
        var (vfs, bucket) = await S3TestContext.CreateAsync(server);
        await using var _ = vfs;
        var file = await vfs.OpenAsync(VfsPath.Parse("new"), VfsOpenFlags.Write | VfsOpenFlags.Create, VfsCreateOptions.File, None);
        await file.WriteAsync(0, new byte[] { 1, 2 }, None);
        Assert.Equal(2, (await vfs.GetAttrAsync(VfsPath.Parse("new"), None)).Size);
        Assert.Contains("new", await vfs.ListAsync(VfsPath.Root, None).Select(e => e.Name).ToListAsync());
        Assert.Empty(await server.ListKeysAsync(bucket));

        var error = await Assert.ThrowsAsync<VfsException>(async () => await file.WriteAsync(0, new byte[] { 9 }, None));
        Assert.Equal(Errno.EINVAL, error.Errno);
        await file.WriteAsync(2, new byte[] { 3 }, None);
        await file.FlushAsync(None);
        await file.DisposeAsync();
        Assert.Equal([1, 2, 3], await server.GetBytesAsync(bucket, "new"));

        await using (var notTruncated = await vfs.OpenAsync(VfsPath.Parse("new"), VfsOpenFlags.Write, default, None))
            Assert.Equal(Errno.ENOTSUP, (await Assert.ThrowsAsync<VfsException>(async () => await notTruncated.WriteAsync(3, new byte[] { 4 }, None))).Errno);
        Assert.Equal(Errno.EEXIST, (await Assert.ThrowsAsync<VfsException>(async () =>
            await vfs.OpenAsync(VfsPath.Parse("new"), VfsOpenFlags.Write | VfsOpenFlags.Create | VfsOpenFlags.Exclusive, default, None))).Errno);
    }

    [Fact]
    public async Task Remove_WhileBeingWritten_NothingIsUploaded()
    {
        var (vfs, bucket) = await S3TestContext.CreateAsync(server);
        await using var _ = vfs;
        var file = await vfs.OpenAsync(VfsPath.Parse("tmp"), VfsOpenFlags.Write | VfsOpenFlags.Create, VfsCreateOptions.File, None);
        await file.WriteAsync(0, new byte[] { 1 }, None);
        await vfs.RemoveAsync(VfsPath.Parse("tmp"), None);
        await file.WriteAsync(1, new byte[] { 2 }, None);
        await file.FlushAsync(None);
        await file.DisposeAsync();
        Assert.Empty(await server.ListKeysAsync(bucket));
        Assert.Null(await vfs.TryGetAttrAsync(VfsPath.Parse("tmp"), None));
    }

    [Fact]
    public async Task Read_ObjectReplacedWhileOpen_IsESTALE()
    {
        var (vfs, bucket) = await S3TestContext.CreateAsync(server);
        await using var _ = vfs;
        await vfs.WriteAllBytesAsync(VfsPath.Parse("f"), new byte[100_000]);
        await using var file = await vfs.OpenAsync(VfsPath.Parse("f"), VfsOpenFlags.Read, default, None);
        await server.PutAsync(bucket, "f", Enumerable.Repeat((byte)1, 100_000).ToArray());
        var error = await Assert.ThrowsAsync<VfsException>(async () => await file.ReadAsync(0, new byte[10], None));
        Assert.Equal(Errno.ESTALE, error.Errno);
    }
}
