using Vfs.Abstractions.Local;
using Vfs.Abstractions.Tests.Local;
using Vfs.Testing.Model;
using Xunit.Abstractions;

namespace Vfs.Abstractions.Tests.Model;

/// <summary>LocalVfs over a fresh temp directory per sequence, against the reference model.</summary>
public sealed class LocalVfsModelTests(ITestOutputHelper output) : IDisposable
{
    private readonly List<TempDirectory> _directories = [];

    private IVfs CreateSut()
    {
        var directory = new TempDirectory();
        _directories.Add(directory);
        return new LocalVfs(directory.Path);
    }

    /// <summary>The per-run cleanup hook: each sequence's directory goes as soon as the sequence is done.</summary>
    private ValueTask DeleteDirectories()
    {
        foreach (var directory in _directories) directory.Dispose();
        _directories.Clear();
        return ValueTask.CompletedTask;
    }

    private HarnessOptions Options(int maxTest) => new() { MaxTest = maxTest, AfterRun = DeleteDirectories };

    [Fact]
    public void Check_LocalVfsOverTempDirectory_AgreesWithModel()
    {
        var result = ModelHarness.Check(CreateSut, VfsCapabilities.Posix, Options(300));
        output.WriteLine(result.Report);
        Assert.Equal(300, result.Tests);
        Assert.Empty(_directories);
    }

    public void Dispose() => DeleteDirectories();
}
