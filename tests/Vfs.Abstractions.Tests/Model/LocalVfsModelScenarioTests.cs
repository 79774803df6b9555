using Vfs.Abstractions.Local;
using Vfs.Abstractions.Tests.Local;
using Vfs.Testing.Model;

namespace Vfs.Abstractions.Tests.Model;

/// <summary>
/// Hand-written interleavings, run as model scripts against LocalVfs: the places a layered stack most likely gets
/// wrong (handles across renames and replacement, O_APPEND after truncation, exchange of a file and a directory).
/// Shrunk failures found by the harness against a real store are added here under their own names.
/// </summary>
public sealed class LocalVfsModelScenarioTests : IDisposable
{
    private readonly List<TempDirectory> _directories = [];

    private IVfs CreateSut()
    {
        var directory = new TempDirectory();
        _directories.Add(directory);
        return new LocalVfs(directory.Path);
    }

    private void Assert(string script) => ModelHarness.AssertScript(CreateSut, VfsCapabilities.Posix, script);

    [Fact]
    public void Handle_WritesAfterItsDirectoryIsRenamed_LandInTheMovedFile() => Assert("""
        mkdir /a
        open /a/f w,creat       => h0
        write h0 @0 "abc"       => ok
        rename /a /b            => ok
        write h0 @3 "de"        => ok
        stat /b/f               => file size=5 mode=0644
        list /b                 => [f: file size=5 mode=0644]
        close h0                => ok
        """);

    [Fact]
    public void Handle_OnAReplacedFile_KeepsTheOldContent() => Assert("""
        append /a "old"
        open /a r               => h0
        append /b "new!"
        rename /b /a            => ok
        read h0 @0 8            => 3 "old"
        fstat h0                => file size=3 mode=0644
        stat /a                 => file size=4 mode=0644
        """);

    [Fact]
    public void Append_AfterAnotherHandleTruncates_WritesAtTheNewEnd() => Assert("""
        append /a "abcdef"
        open /a w,append        => h0
        open /a rw              => h1
        truncate h1 2           => ok
        write h0 @0 "XY"        => ok
        read h1 @0 10           => 4 "abXY"
        """);

    [Fact]
    public void Exchange_FileAndDirectoryWithOpenHandle_SwapsNamesAndKeepsTheHandle() => Assert("""
        mkdir /d
        append /d/x "in dir"
        open /f rw,creat        => h0
        write h0 @0 "file"      => ok
        rename /f /d exchange   => ok
        list /                  => [d: file size=4 mode=0644, f: dir mode=0755]
        stat /f/x               => file size=6 mode=0644
        read h0 @0 8            => 4 "file"
        write h0 @4 "!"         => ok
        stat /d                 => file size=5 mode=0644
        """);

    [Fact]
    public void Write_PastTheEnd_ReadsZerosInTheGap() => Assert("""
        open /a rw,creat        => h0
        write h0 @6 "z"         => ok
        read h0 @0 16           => 7 "\x00\x00\x00\x00\x00\x00z"
        setsize /a 3            => file size=3 mode=0644
        setsize /a 5            => file size=5 mode=0644
        read h0 @0 16           => 5 "\x00\x00\x00\x00\x00"
        """);

    public void Dispose()
    {
        foreach (var directory in _directories) directory.Dispose();
    }
}
