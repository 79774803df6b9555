using Vfs.Testing.Mount;

namespace Vfs.Cli.Tests.Stack;

/// <summary>The cache options of `vfs mount` as a user meets them: each bad value is one line and exit 2, before mounting.</summary>
public sealed class CacheOptionsCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("vfs-cli-cache-").FullName;

    public void Dispose()
    {
        string mountPoint = Path.Combine(_root, "mnt");
        if (VfsMount.MountTypeAt(mountPoint) is not null) Shell.RunAsync("umount", ["-l", mountPoint]).GetAwaiter().GetResult();
        Directory.Delete(_root, recursive: true);
    }

    [Theory]
    [InlineData("--cache-size", "10X", "--cache-size: '10X' is not a size")]
    [InlineData("--cache-size", "100K", "at least 1048576 bytes")]
    [InlineData("--block-size", "3M", "--block-size: '3M' must be a power of two from 64K to 64M")]
    [InlineData("--write-back-delay", "soon", "--write-back-delay: 'soon' is not a duration")]
    [InlineData("--write-back-delay", "90m", "longer than 1h")]
    [InlineData("--metadata-ttl", "-1s", "--metadata-ttl: '-1s' is not a duration")]
    public async Task Mount_BadCacheValue_OneLineExit2(string option, string value, string expected)
    {
        string mountPoint = Directory.CreateDirectory(Path.Combine(_root, "mnt")).FullName;
        var result = await Shell.RunAsync("dotnet",
            [VfsMount.CliPath, "mount", "memory:", mountPoint, "--cache", "--cache-dir", Path.Combine(_root, "cache"), option, value],
            timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(2, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, result.ToString());
        Assert.StartsWith("vfs: ", lines[0]);
        Assert.Contains(expected, lines[0]);
        Assert.Null(VfsMount.MountTypeAt(mountPoint));
    }

    [Fact]
    public async Task Mount_CacheAndNoCache_OneLineExit2()
    {
        string mountPoint = Directory.CreateDirectory(Path.Combine(_root, "mnt")).FullName;
        var result = await Shell.RunAsync("dotnet", [VfsMount.CliPath, "mount", "memory:", mountPoint, "--cache", "--no-cache"], timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--cache and --no-cache contradict each other", result.Stderr);
    }
}
