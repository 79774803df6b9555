namespace Vfs.S3.Tests;

public sealed class S3VfsOptionsTests
{
    private static S3VfsOptions Valid() => new() { Bucket = "bucket" };

    [Fact]
    public void Validate_Defaults_Pass() => Valid().Validate();

    [Theory]
    [InlineData("PartSize")]
    [InlineData("UploadConcurrency")]
    [InlineData("MultipartCopyThreshold")]
    [InlineData("PrefetchInitialWindow")]
    [InlineData("RandomReadahead")]
    [InlineData("ListingHeadConcurrency")]
    [InlineData("AttemptTimeout")]
    [InlineData("CircuitMinimumThroughput")]
    [InlineData("Bucket")]
    [InlineData("Endpoint")]
    [InlineData("Prefix")]
    public void Validate_OutOfRange_NamesTheSetting(string setting)
    {
        var options = Valid();
        switch (setting)
        {
            case "PartSize": options.PartSize = 4 * S3VfsOptions.MiB; break;
            case "UploadConcurrency": options.UploadConcurrency = 0; break;
            case "MultipartCopyThreshold": options.MultipartCopyThreshold = 6 * S3VfsOptions.GiB; break;
            case "PrefetchInitialWindow": options.PrefetchInitialWindow = options.PrefetchMaxWindow * 2; break;
            case "RandomReadahead": options.RandomReadahead = -1; break;
            case "ListingHeadConcurrency": options.ListingHeadConcurrency = 0; break;
            case "AttemptTimeout": options.Resilience.AttemptTimeout = TimeSpan.FromMilliseconds(1); break;
            case "CircuitMinimumThroughput": options.Resilience.CircuitMinimumThroughput = 1; break;
            case "Bucket": options.Bucket = "ab"; break;
            case "Endpoint": options.Endpoint = "ftp://host"; break;
            case "Prefix": options.Prefix = "a/../b"; break;
        }
        var error = Assert.ThrowsAny<ArgumentException>(options.Validate);
        Assert.Contains(setting == "Endpoint" ? "endpoint" : setting == "Prefix" ? "prefix" : setting == "Bucket" ? "bucket" : setting, error.Message);
    }

    [Theory]
    [InlineData("http://127.0.0.1:9000", null, false)]
    [InlineData("https://s3.example.com", null, true)]
    [InlineData(null, null, true)]
    [InlineData("http://127.0.0.1:9000", true, true)]
    public void EffectiveUseChunkEncoding_ChosenPerEndpoint(string? endpoint, bool? configured, bool expected)
    {
        var options = Valid();
        options.Endpoint = endpoint;
        options.UseChunkEncoding = configured;
        Assert.Equal(expected, options.EffectiveUseChunkEncoding);
    }

    [Fact]
    public void CreateConfig_CustomEndpoint_PathStyleNoSdkRetries()
    {
        var options = Valid();
        options.Endpoint = "http://127.0.0.1:9000";
        options.ForcePathStyle = true;
        var config = S3ClientFactory.CreateConfig(options);
        Assert.Equal(0, config.MaxErrorRetry);
        Assert.True(config.ForcePathStyle);
        Assert.Equal("us-east-1", config.AuthenticationRegion);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("/", "")]
    [InlineData("a/b", "a/b/")]
    [InlineData("/a b/c+d/", "a b/c+d/")]
    public void NormalizePrefix_OneTrailingSlash(string prefix, string expected) => Assert.Equal(expected, S3Key.NormalizePrefix(prefix));
}
