using Vfs.Abstractions;
using Vfs.Abstractions.Local;
using Vfs.Testing.Model;
using Vfs.Testing.Mount;
using Xunit.Abstractions;

namespace Vfs.Fuse.Tests.Mount;

/// <summary>
/// The FsCheck model harness through a real mount: the system under test is <see cref="LocalVfs"/> on a fresh
/// directory of the mount (real syscalls through the kernel to the child `vfs mount` process), the model is MemoryVfs.
/// </summary>
public abstract class MountModelTests(MountFixture fixture, ITestOutputHelper output)
{
    private const int Sequences = 300;
    private readonly List<string> _directories = [];
    private int _next;

    private IVfs CreateSut()
    {
        string directory = Path.Combine(fixture.Mount.MountPoint, $"model-{Interlocked.Increment(ref _next)}");
        Directory.CreateDirectory(directory);
        _directories.Add(directory);
        return new LocalVfs(directory);
    }

    /// <summary>Each sequence's directory goes as soon as the sequence is done (through the mount, as a user would).</summary>
    private async ValueTask DeleteDirectoriesAsync()
    {
        foreach (var directory in _directories)
        {
            var result = await fixture.Mount.BashAsync($"chmod -R u+rwx '{directory}' 2>/dev/null || true; rm -rf '{directory}'");
            Assert.True(result.ExitCode == 0, result.ToString());
        }
        _directories.Clear();
    }

    [Fact]
    public void Check_LocalVfsOnTheMount_AgreesWithModel()
    {
        var result = ModelHarness.Check(CreateSut, VfsCapabilities.Posix, new HarnessOptions { MaxTest = Sequences, AfterRun = DeleteDirectoriesAsync });
        output.WriteLine(result.Report);
        Assert.Equal(Sequences, result.Tests);
        Assert.Empty(_directories);
    }
}

public sealed class MemoryMountModelTests(MemoryMountFixture fixture, ITestOutputHelper output)
    : MountModelTests(fixture, output), IClassFixture<MemoryMountFixture>;

public sealed class LocalMountModelTests(LocalMountFixture fixture, ITestOutputHelper output)
    : MountModelTests(fixture, output), IClassFixture<LocalMountFixture>;
