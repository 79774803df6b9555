using Vfs.Cli.Commands;

namespace Vfs.Cli.Tests.Stack;

public sealed class SizeValuesTests
{
    [Theory]
    [InlineData("4096", 4096L)]
    [InlineData("64K", 64L << 10)]
    [InlineData("512M", 512L << 20)]
    [InlineData("10G", 10L << 30)]
    [InlineData("10GiB", 10L << 30)]
    [InlineData("10gb", 10L << 30)]
    [InlineData("1.5G", 3L << 29)]
    [InlineData("2T", 2L << 40)]
    public void Parse_WrittenSize_Bytes(string text, long expected) => Assert.Equal(expected, SizeValues.Parse(text, "--cache-size"));

    [Theory]
    [InlineData("")]
    [InlineData("G")]
    [InlineData("10X")]
    [InlineData("-1G")]
    [InlineData("ten")]
    [InlineData("1e3")]
    public void Parse_BadText_OneLineUsageError(string text)
    {
        var error = Assert.Throws<CliException>(() => SizeValues.Parse(text, "--cache-size"));
        Assert.Equal(2, error.ExitCode);
        Assert.StartsWith("--cache-size: '", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Parse_BelowMinimum_Refused() =>
        Assert.Contains("at least 1048576 bytes", Assert.Throws<CliException>(() => SizeValues.Parse("512K", "--cache-size", 1 << 20)).Message);
}
