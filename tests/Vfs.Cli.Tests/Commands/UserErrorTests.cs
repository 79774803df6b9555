namespace Vfs.Cli.Tests.Commands;

/// <summary>
/// Bad input a user can type, each answered by one line "vfs: ..." and the documented exit code (docs/CLI.md):
/// 2 for usage (unknown command or option, bad value), 1 for everything that is refused or fails.
/// </summary>
public sealed class UserErrorTests : IDisposable
{
    private readonly string _mountPoint = Directory.CreateTempSubdirectory("vfs-usage-").FullName;

    public void Dispose() => Directory.Delete(_mountPoint, recursive: true);

    [Theory]
    [InlineData("--part-size", "big", "big")]                    // a size that is not a number
    [InlineData("--s3-timeout", "forever", "not a duration")]    // a duration
    [InlineData("--attr-timeout", "2d", "not a duration")]
    [InlineData("--dir-mode", "8", "not an octal mode")]
    public async Task Mount_BadValue_UsageErrorExit2(string option, string value, string expected)
    {
        var result = await VfsCli.RunAsync("mount", "s3://some-bucket", _mountPoint, option, value);
        VfsCli.AssertOneLineError(result, 2, expected);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("--no-such-flag")]
    public async Task Root_UnknownCommandOrOption_UsageErrorExit2(string argument)
    {
        var result = await VfsCli.RunAsync(argument);
        VfsCli.AssertOneLineError(result, 2, argument);
    }

    [Fact]
    public async Task Mount_MissingMountPointArgument_UsageErrorExit2()
    {
        var result = await VfsCli.RunAsync("mount", "memory:");
        VfsCli.AssertOneLineError(result, 2, "MOUNTPOINT");
    }

    [Fact]
    public async Task Mount_LocalWithoutPath_UsageErrorExit2()
    {
        var result = await VfsCli.RunAsync("mount", "local:", _mountPoint);
        VfsCli.AssertOneLineError(result, 2, "local: needs a directory");
    }

    [Fact]
    public async Task Mount_LogFileInMissingDirectory_OneLineAndExit1()
    {
        var result = await VfsCli.RunAsync("mount", "memory:", _mountPoint, "--log-file", "/nonexistent-dir/x.log");
        VfsCli.AssertOneLineError(result, 1, "--log-file: cannot write /nonexistent-dir/x.log");
    }

    [Fact]
    public async Task CacheStats_CacheDirAndSourceBoth_UsageErrorExit2()
    {
        var result = await VfsCli.RunAsync("cache", "stats", "--cache-dir", _mountPoint, "--source", "s3://b");
        VfsCli.AssertOneLineError(result, 2, "not both");
    }
}
