using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using Vfs.Abstractions.Local;

namespace Vfs.Abstractions.Tests.Local;

/// <summary>What LocalVfs adds to the contract: the real inode's attributes, exact modes despite umask, errno passed
/// through, entries the contract cannot name, and the root directory's own errors.</summary>
[SupportedOSPlatform("linux")]
public sealed partial class LocalVfsTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempDirectory _root = new();
    private readonly LocalVfs _vfs;

    public LocalVfsTests() => _vfs = new LocalVfs(_root.Path);

    public void Dispose()
    {
        _vfs.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _root.Dispose();
    }

    private static VfsPath P(string text) => VfsPath.Parse(text);

    private string Real(string name) => Path.Combine(_root.Path, name);

    private static async Task<Errno> ErrnoOf(Func<Task> action) => (await Assert.ThrowsAsync<VfsException>(action)).Errno;

    [LibraryImport("libc.so.6", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkFifo(string path, uint mode);

    [LibraryImport("libc.so.6", EntryPoint = "creat")]
    private static partial int CreatBytes(byte[] path, uint mode);

    [LibraryImport("libc.so.6", EntryPoint = "unlink")]
    private static partial int UnlinkBytes(byte[] path);

    [LibraryImport("libc.so.6", EntryPoint = "close")]
    private static partial int Close(int fd);

    [Fact]
    public void Constructor_MissingRoot_IsEnoent()
    {
        var error = Assert.Throws<VfsException>(() => new LocalVfs(Real("missing")));
        Assert.Equal(Errno.ENOENT, error.Errno);
        Assert.Contains("missing", error.Message);
    }

    [Fact]
    public void Constructor_RootIsFile_IsEnotdir()
    {
        File.WriteAllText(Real("file"), "x");
        Assert.Equal(Errno.ENOTDIR, Assert.Throws<VfsException>(() => new LocalVfs(Real("file"))).Errno);
    }

    [Fact]
    public async Task Constructor_RootThroughSymlink_UsesTheDirectory()
    {
        Directory.CreateDirectory(Real("real"));
        File.CreateSymbolicLink(Real("alias"), Real("real"));
        await using var vfs = new LocalVfs(Real("alias"));
        await vfs.WriteAllBytesAsync(P("f"), Encoding.UTF8.GetBytes("via alias"), None);
        Assert.Equal("via alias", File.ReadAllText(Path.Combine(Real("real"), "f")));
    }

    [Fact]
    public async Task Create_ModeIsExact_DespiteUmask()
    {
        await using (var file = await _vfs.OpenAsync(P("f"), VfsOpenFlags.Write | VfsOpenFlags.Create, new VfsCreateOptions(0b111_111_111), None)) { }
        await _vfs.MkdirAsync(P("d"), new VfsCreateOptions(0b111_111_111), None);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupWrite
                     | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute,
                     File.GetUnixFileMode(Real("f")));
        Assert.Equal(0b111_111_111, (await _vfs.GetAttrAsync(P("d"), None)).Mode);
    }

    [Fact]
    public async Task Attributes_ComeFromTheRealInode()
    {
        File.WriteAllText(Real("outside-write"), "12345678");
        var when = new DateTime(2019, 3, 4, 5, 6, 7, DateTimeKind.Utc).AddTicks(1234567);
        File.SetLastWriteTimeUtc(Real("outside-write"), when);
        var attributes = await _vfs.GetAttrAsync(P("outside-write"), None);
        Assert.Equal(8, attributes.Size);
        Assert.Equal(new DateTimeOffset(when), attributes.ModifiedTime);
        Assert.Equal(0, (await _vfs.GetAttrAsync(VfsPath.Root, None)).Size); // directories report 0, not 4096
    }

    [Fact]
    public async Task SetAttrTimes_KeepSubSecondPrecision()
    {
        File.WriteAllText(Real("f"), "x");
        var mtime = new DateTimeOffset(2022, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1_234_567);
        var atime = new DateTimeOffset(1969, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(5_000_000); // before the epoch
        var attributes = await _vfs.SetAttrAsync(P("f"), new VfsAttributeChanges { ModifiedTime = mtime, AccessTime = atime }, None);
        Assert.Equal(mtime, attributes.ModifiedTime);
        Assert.Equal(atime, attributes.AccessTime);
    }

    [Fact]
    public async Task SetAttr_ModeWithOwner_KeepsSetgidAfterChown()
    {
        File.WriteAllText(Real("f"), "x");
        const int setgidRwx = 0b010_111_101_101; // 02755
        var attributes = await _vfs.SetAttrAsync(P("f"), new VfsAttributeChanges { Mode = setgidRwx, Uid = 1000, Gid = 1000 }, None);
        Assert.Equal(setgidRwx, attributes.Mode);
        Assert.Equal(1000u, attributes.Gid);
    }

    [Fact]
    public async Task Listing_SkipsNamesThatAreNotUtf8()
    {
        File.WriteAllText(Real("good"), "x");
        var bad = Encoding.UTF8.GetBytes(Real("bad-")).Concat(new byte[] { 0xFF, 0xFE, 0 }).ToArray();
        int fd = CreatBytes(bad, 0b110_100_100);
        Assert.True(fd >= 0);
        Close(fd);
        var names = new List<string>();
        await foreach (var entry in _vfs.ListAsync(VfsPath.Root, None)) names.Add(entry.Name);
        Assert.Equal(["good"], names);
        Assert.Equal(2, Directory.GetFileSystemEntries(_root.Path).Length);
        Assert.Equal(0, UnlinkBytes(bad)); // .NET cannot name it, so TempDirectory could not delete it
    }

    [Fact]
    public async Task Fifo_IsListedAsEmptyFile_AndRefusedWithoutBlocking()
    {
        Assert.Equal(0, MkFifo(Real("pipe"), 0b110_100_100));
        var attributes = await _vfs.GetAttrAsync(P("pipe"), None);
        Assert.Equal(VfsEntryKind.File, attributes.Kind);
        Assert.Equal(0, attributes.Size);
        var open = Task.Run(async () => await _vfs.OpenAsync(P("pipe"), VfsOpenFlags.Read, default, None));
        Assert.Same(open, await Task.WhenAny(open, Task.Delay(TimeSpan.FromSeconds(10))));
        Assert.Equal(Errno.EACCES, await ErrnoOf(() => open));
    }

    [Fact]
    public async Task OutOfBandChanges_AreSeenAtOnce()
    {
        await _vfs.WriteAllBytesAsync(P("f"), Encoding.UTF8.GetBytes("v1"), None);
        var etag = (await _vfs.GetAttrAsync(P("f"), None)).ETag;
        File.WriteAllText(Real("f"), "version two");
        File.SetLastWriteTimeUtc(Real("f"), DateTime.UtcNow.AddMinutes(1));
        Assert.Equal("version two", Encoding.UTF8.GetString(await _vfs.ReadAllBytesAsync(P("f"), None)));
        Assert.NotEqual(etag, (await _vfs.GetAttrAsync(P("f"), None)).ETag);
        Directory.CreateDirectory(Real("made-outside"));
        Assert.True((await _vfs.GetAttrAsync(P("made-outside"), None)).IsDirectory);
    }

    [Fact]
    public async Task Handle_AfterDispose_IsEbadf()
    {
        var file = await _vfs.OpenAsync(P("f"), VfsOpenFlags.ReadWrite | VfsOpenFlags.Create, VfsCreateOptions.File, None);
        await file.DisposeAsync();
        Assert.Equal(Errno.EBADF, await ErrnoOf(async () => await file.ReadAsync(0, new byte[1], None)));
        Assert.Equal(Errno.EBADF, await ErrnoOf(async () => await file.WriteAsync(0, new byte[1], None)));
        Assert.Equal(Errno.EBADF, await ErrnoOf(async () => await file.FlushAsync(None)));
    }

    [Fact]
    public async Task Handle_ConcurrentWritesAtOffsets_AllLand()
    {
        await using (var file = await _vfs.OpenAsync(P("f"), VfsOpenFlags.ReadWrite | VfsOpenFlags.Create, VfsCreateOptions.File, None))
        {
            await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
            {
                var block = Enumerable.Repeat((byte)i, 4096).ToArray();
                await file.WriteAsync(i * 4096L, block, None);
            })));
            await file.FsyncAsync(None);
        }
        var content = File.ReadAllBytes(Real("f"));
        Assert.Equal(16 * 4096, content.Length);
        for (int i = 0; i < 16; i++) Assert.All(content.AsSpan(i * 4096, 4096).ToArray(), b => Assert.Equal((byte)i, b));
    }

    [Fact]
    public async Task Rename_ExchangeOnTheRealFilesystem_SwapsInodes()
    {
        File.WriteAllText(Real("a"), "A");
        Directory.CreateDirectory(Real("b"));
        await _vfs.RenameAsync(P("a"), P("b"), VfsRenameFlags.Exchange, None);
        Assert.Equal("A", File.ReadAllText(Real("b")));
        Assert.True(Directory.Exists(Real("a")));
    }

    [Fact]
    public async Task StatFs_ReportsTheRealFilesystem()
    {
        var statFs = await _vfs.StatFsAsync(None);
        var drive = new DriveInfo(_root.Path);
        Assert.Equal(drive.TotalSize, statFs.TotalBlocks * statFs.BlockSize);
        Assert.Equal(VfsPath.MaxSegmentBytes, statFs.MaxNameLength);
    }

    [Fact]
    public async Task Capabilities_DefaultPosix_OrWhatTheCallerStates()
    {
        Assert.Equal(VfsCapabilities.Posix, _vfs.Capabilities);
        await using var limited = new LocalVfs(_root.Path, VfsCapabilities.Symlinks);
        Assert.Equal(VfsCapabilities.Symlinks, limited.Capabilities);
    }
}
