using System.Text;
using Vfs.Abstractions.Local;

namespace Vfs.Abstractions.Tests.Local;

/// <summary>
/// Hostile names and planted symlinks must never let LocalVfs reach outside its root. The answer to a path through a
/// symlink is ENOTDIR: the store resolves each component with O_DIRECTORY|O_NOFOLLOW, so a link is not a directory to
/// it (the kernel's own errno for that open); opening a link itself is ELOOP (O_NOFOLLOW). Mutating tests aim links at
/// a scratch directory outside the root, never at system files, and check that it is untouched.
/// </summary>
public sealed class LocalVfsConfinementTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempDirectory _root = new();
    private readonly TempDirectory _outside = new();
    private readonly LocalVfs _vfs;
    private readonly string _secret;

    public LocalVfsConfinementTests()
    {
        _vfs = new LocalVfs(_root.Path);
        _secret = Path.Combine(_outside.Path, "secret");
        File.WriteAllText(_secret, "outside content");
        File.CreateSymbolicLink(Path.Combine(_root.Path, "etc"), "/etc");
        File.CreateSymbolicLink(Path.Combine(_root.Path, "out"), _outside.Path);
        File.CreateSymbolicLink(Path.Combine(_root.Path, "secretlink"), _secret);
        File.CreateSymbolicLink(Path.Combine(_root.Path, "up"), "../..");
        Directory.CreateDirectory(Path.Combine(_root.Path, "d"));
        File.CreateSymbolicLink(Path.Combine(_root.Path, "d", "nested"), _outside.Path);
        File.WriteAllText(Path.Combine(_root.Path, "inside"), "inside");
    }

    public void Dispose()
    {
        _vfs.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _root.Dispose();
        _outside.Dispose();
    }

    private static VfsPath P(string text) => VfsPath.Parse(text);

    private static async Task<Errno> ErrnoOf(Func<Task> action) => (await Assert.ThrowsAsync<VfsException>(action)).Errno;

    private void AssertOutsideUntouched()
    {
        Assert.Equal("outside content", File.ReadAllText(_secret));
        Assert.Equal(["secret"], Directory.GetFileSystemEntries(_outside.Path).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../etc/passwd")]
    [InlineData("a/../../etc")]
    [InlineData("./x")]
    [InlineData("a\0b")]
    public void VfsPath_DotDotDotOrNul_CannotBeBuilt(string text)
    {
        Assert.False(VfsPath.TryParse(text, out _));
        Assert.Equal(Errno.EINVAL, Assert.Throws<VfsException>(() => VfsPath.Root.Combine("..")).Errno);
    }

    [Theory]
    [InlineData("etc/passwd")]
    [InlineData("out/secret")]
    [InlineData("up/etc/passwd")]
    [InlineData("d/nested/secret")]
    public async Task PathThroughPlantedSymlink_IsEnotdirForEveryOperation(string text)
    {
        var path = P(text);
        Assert.Equal(Errno.ENOTDIR, await ErrnoOf(async () => await _vfs.TryGetAttrAsync(path, None)));
        Assert.Equal(Errno.ENOTDIR, await ErrnoOf(async () => await _vfs.OpenAsync(path, VfsOpenFlags.Read, default, None)));
        Assert.Equal(Errno.ENOTDIR, await ErrnoOf(async () =>
            await _vfs.OpenAsync(path, VfsOpenFlags.Write | VfsOpenFlags.Create | VfsOpenFlags.Truncate, VfsCreateOptions.File, None)));
        Assert.Equal(Errno.ENOTDIR, await ErrnoOf(async () => await _vfs.RemoveAsync(path, None)));
        Assert.Equal(Errno.ENOTDIR, await ErrnoOf(async () => await _vfs.RmdirAsync(path, None)));
        Assert.Equal(Errno.ENOTDIR, await ErrnoOf(async () => await _vfs.MkdirAsync(path, VfsCreateOptions.Directory, None)));
        Assert.Equal(Errno.ENOTDIR, await ErrnoOf(async () => await _vfs.SymlinkAsync(path, "x", VfsCreateOptions.File, None)));
        Assert.Equal(Errno.ENOTDIR, await ErrnoOf(async () => await _vfs.ReadlinkAsync(path, None)));
        Assert.Equal(Errno.ENOTDIR, await ErrnoOf(async () => await _vfs.SetAttrAsync(path, new VfsAttributeChanges { Size = 0, Mode = 0 }, None)));
        Assert.Equal(Errno.ENOTDIR, await ErrnoOf(async () => await _vfs.RenameAsync(path, P("stolen"), VfsRenameFlags.None, None)));
        Assert.Equal(Errno.ENOTDIR, await ErrnoOf(async () => await _vfs.RenameAsync(P("inside"), path, VfsRenameFlags.None, None)));
        Assert.Equal(Errno.ENOTDIR, await ErrnoOf(async () => { await foreach (var _ in _vfs.ListAsync(path.Parent, None)) { } }));
        Assert.Equal("inside", File.ReadAllText(Path.Combine(_root.Path, "inside")));
        Assert.False(File.Exists(Path.Combine(_root.Path, "stolen")));
        AssertOutsideUntouched();
    }

    [Theory]
    [InlineData("etc")]
    [InlineData("secretlink")]
    [InlineData("out")]
    public async Task OpenOfPlantedSymlink_IsEloop_AndNeverTruncatesTarget(string name)
    {
        foreach (var flags in new[] { VfsOpenFlags.Read, VfsOpenFlags.ReadWrite | VfsOpenFlags.Truncate, VfsOpenFlags.Write | VfsOpenFlags.Create | VfsOpenFlags.Truncate | VfsOpenFlags.Append })
            Assert.Equal(Errno.ELOOP, await ErrnoOf(async () => await _vfs.OpenAsync(P(name), flags, VfsCreateOptions.File, None)));
        AssertOutsideUntouched();
    }

    [Fact]
    public async Task SetAttrOnPlantedSymlink_ChangesTheLinkNeverTheTarget()
    {
        var secretTimes = File.GetLastWriteTimeUtc(_secret);
        Assert.Equal(Errno.EINVAL, await ErrnoOf(async () => await _vfs.SetAttrAsync(P("secretlink"), new VfsAttributeChanges { Size = 0 }, None)));
        Assert.Equal(Errno.ENOTSUP, await ErrnoOf(async () => await _vfs.SetAttrAsync(P("secretlink"), new VfsAttributeChanges { Mode = 0 }, None)));
        var past = new DateTimeOffset(2001, 2, 3, 4, 5, 6, TimeSpan.Zero);
        var link = await _vfs.SetAttrAsync(P("secretlink"), new VfsAttributeChanges { ModifiedTime = past, Uid = 4321, Gid = 4321 }, None);
        Assert.Equal(VfsEntryKind.Symlink, link.Kind);
        Assert.Equal(past, link.ModifiedTime);
        Assert.Equal(4321u, link.Uid);
        Assert.Equal(secretTimes, File.GetLastWriteTimeUtc(_secret));
        Assert.NotEqual(4321u, (await new LocalVfs(_outside.Path).GetAttrAsync(P("secret"), None)).Uid);
        AssertOutsideUntouched();
    }

    [Fact]
    public async Task ListingAndRemovingPlantedSymlinks_TouchOnlyTheLinks()
    {
        var entries = new Dictionary<string, VfsAttributes>();
        await foreach (var entry in _vfs.ListAsync(VfsPath.Root, None)) entries[entry.Name] = entry.Attributes;
        Assert.Equal(VfsEntryKind.Symlink, entries["etc"].Kind);
        Assert.Equal(VfsEntryKind.Symlink, entries["out"].Kind);
        Assert.Equal("/etc", await _vfs.ReadlinkAsync(P("etc"), None));
        await _vfs.RenameAsync(P("out"), P("renamed"), VfsRenameFlags.None, None);
        await _vfs.RemoveAsync(P("renamed"), None);
        await _vfs.RemoveAsync(P("secretlink"), None);
        Assert.Equal(Errno.ENOTDIR, await ErrnoOf(async () => await _vfs.RmdirAsync(P("etc"), None)));
        Assert.True(Directory.Exists("/etc"));
        AssertOutsideUntouched();
    }

    [Fact]
    public async Task RenameOverPlantedSymlink_ReplacesTheLinkOnly()
    {
        await _vfs.RenameAsync(P("inside"), P("secretlink"), VfsRenameFlags.None, None);
        Assert.Equal(VfsEntryKind.File, (await _vfs.GetAttrAsync(P("secretlink"), None)).Kind);
        Assert.Equal("inside", Encoding.UTF8.GetString(await _vfs.ReadAllBytesAsync(P("secretlink"), None)));
        AssertOutsideUntouched();
    }

    [Fact]
    public async Task CreatedSymlinkPointingOutside_IsStoredNeverFollowed()
    {
        await _vfs.SymlinkAsync(P("made"), _outside.Path, VfsCreateOptions.File, None);
        Assert.Equal(Errno.ENOTDIR, await ErrnoOf(async () => await _vfs.OpenAsync(P("made/secret"), VfsOpenFlags.Write | VfsOpenFlags.Truncate, default, None)));
        Assert.Equal(Errno.ENOTDIR, await ErrnoOf(async () => await _vfs.RemoveAsync(P("made/secret"), None)));
        AssertOutsideUntouched();
    }
}
