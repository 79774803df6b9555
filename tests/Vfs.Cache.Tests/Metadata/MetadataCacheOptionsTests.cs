using Vfs.Abstractions.Memory;
using Vfs.Cache.Metadata;

namespace Vfs.Cache.Tests.Metadata;

public sealed class MetadataCacheOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreAccepted()
    {
        var options = new MetadataCacheOptions();

        options.Validate();

        Assert.Equal(TimeSpan.FromSeconds(10), options.Ttl);
        Assert.Equal(100_000, options.MaxEntries);
        Assert.Equal(25_000, options.MaxListingEntries);
    }

    public static TheoryData<string> BadOptions => ["negative-ttl", "no-entries", "negative-listing", "listing-over-half"];

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Constructor_OptionOutOfRange_ThrowsAtStart(string bad)
    {
        var options = bad switch
        {
            "negative-ttl" => new MetadataCacheOptions { Ttl = TimeSpan.FromSeconds(-1) },
            "no-entries" => new MetadataCacheOptions { MaxEntries = 0, MaxListingEntries = 0 },
            "negative-listing" => new MetadataCacheOptions { MaxListingEntries = -1 },
            "listing-over-half" => new MetadataCacheOptions { MaxEntries = 100, MaxListingEntries = 51 },
            _ => throw new ArgumentOutOfRangeException(nameof(bad)),
        };

        Assert.Throws<ArgumentOutOfRangeException>(() => new MetadataCacheVfs(new MemoryVfs(), options));
    }
}
