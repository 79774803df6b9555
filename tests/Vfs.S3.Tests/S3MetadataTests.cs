using Vfs.Abstractions;

namespace Vfs.S3.Tests;

public sealed class S3MetadataTests
{
    [Theory]
    [InlineData("1700000000", 1_700_000_000_000L)]
    [InlineData("1700000000.25", 1_700_000_000_250L)]
    [InlineData("1700000000.123456789", 1_700_000_000_123L)]
    [InlineData("2023-11-14T22:13:20Z", 1_700_000_000_000L)]
    public void ParseTime_S3fsRcloneAndRfc3339(string text, long unixMilliseconds)
    {
        var time = S3Metadata.ParseTime(new Dictionary<string, string> { ["mtime"] = text }, S3Metadata.MTime);
        Assert.Equal(unixMilliseconds, time!.Value.ToUnixTimeMilliseconds());
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("1e400")]
    public void ParseTime_Garbage_IsNull(string text) =>
        Assert.Null(S3Metadata.ParseTime(new Dictionary<string, string> { ["mtime"] = text }, S3Metadata.MTime));

    [Fact]
    public void Create_FullModeWithTypeBitsInDecimal()
    {
        var metadata = S3Metadata.Create(VfsEntryKind.File, 0b110_100_100, 1000, 100, DateTimeOffset.FromUnixTimeSeconds(42));
        Assert.Equal("33188", metadata["mode"]); // 0100644
        Assert.Equal("1000", metadata["uid"]);
        Assert.Equal("100", metadata["gid"]);
        Assert.Equal("42", metadata["mtime"]);
        Assert.Equal("16877", S3Metadata.Create(VfsEntryKind.Directory, 0b111_101_101, 0, 0, default)["mode"]); // 040755
    }

    [Fact]
    public void Normalize_StripsTheSdkPrefix() =>
        Assert.Equal(new Dictionary<string, string> { ["mode"] = "1", ["uid"] = "2" },
            S3Metadata.Normalize([new("x-amz-meta-mode", "1"), new("X-Amz-Meta-Uid", "2")]));

    [Fact]
    public void Compare_Utf8Order_DiffersFromUtf16ForSupplementaryCharacters()
    {
        // U+FF5E (3 UTF-8 bytes EF BD 9E) sorts after U+1F600 in UTF-16 but before it in UTF-8 (F0 9F 98 80)
        Assert.True(Utf8OrdinalComparer.Instance.Compare("\uFF5E", "\U0001F600") < 0);
        Assert.True(string.CompareOrdinal("\uFF5E", "\U0001F600") > 0);
    }
}
