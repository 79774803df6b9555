using System.Globalization;
using Vfs.Abstractions;

namespace Vfs.S3;

/// <summary>
/// Mode, owner and times in S3 user metadata under the names s3fs-fuse uses (<c>x-amz-meta-mode</c>, <c>-uid</c>,
/// <c>-gid</c>, <c>-mtime</c>, <c>-atime</c>), so s3fs and LayeredVfs read each other's files. <c>mode</c> is the
/// full st_mode in decimal, file type bits included (0100644 is "33188"); times are whole seconds since the epoch.
/// rclone writes <c>mtime</c> as fractional seconds (and RFC 3339 in some versions): both are read.
/// </summary>
internal static class S3Metadata
{
    public const int TypeMask = 0xF000;     // S_IFMT 0170000
    public const int RegularType = 0x8000;  // S_IFREG 0100000
    public const int DirectoryType = 0x4000; // S_IFDIR 0040000
    public const int SymlinkType = 0xA000;  // S_IFLNK 0120000

    public const string Mode = "mode";
    public const string Uid = "uid";
    public const string Gid = "gid";
    public const string MTime = "mtime";
    public const string ATime = "atime";

    private const string AmzPrefix = "x-amz-meta-";

    /// <summary>Metadata names without the <c>x-amz-meta-</c> prefix the SDK returns, lower case.</summary>
    public static Dictionary<string, string> Normalize(IEnumerable<KeyValuePair<string, string>> raw)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in raw)
        {
            var key = name.ToLowerInvariant();
            if (key.StartsWith(AmzPrefix, StringComparison.Ordinal)) key = key[AmzPrefix.Length..];
            result[key] = value;
        }
        return result;
    }

    public static int TypeBits(VfsEntryKind kind) => kind switch
    {
        VfsEntryKind.Directory => DirectoryType,
        VfsEntryKind.Symlink => SymlinkType,
        _ => RegularType,
    };

    /// <summary>The metadata of a new entry.</summary>
    public static Dictionary<string, string> Create(VfsEntryKind kind, int mode, uint uid, uint gid, DateTimeOffset mtime) => new(StringComparer.Ordinal)
    {
        [Mode] = (TypeBits(kind) | (mode & VfsAttributes.PermissionMask)).ToString(CultureInfo.InvariantCulture),
        [Uid] = uid.ToString(CultureInfo.InvariantCulture),
        [Gid] = gid.ToString(CultureInfo.InvariantCulture),
        [MTime] = mtime.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>A copy of <paramref name="metadata"/> with <paramref name="changes"/> applied (size excepted).</summary>
    public static Dictionary<string, string> Apply(IReadOnlyDictionary<string, string> metadata, VfsAttributes current, VfsAttributeChanges changes)
    {
        var result = new Dictionary<string, string>(metadata, StringComparer.Ordinal);
        int mode = changes.Mode ?? current.Mode;
        result[Mode] = (TypeBits(current.Kind) | (mode & VfsAttributes.PermissionMask)).ToString(CultureInfo.InvariantCulture);
        result[Uid] = (changes.Uid ?? current.Uid).ToString(CultureInfo.InvariantCulture);
        result[Gid] = (changes.Gid ?? current.Gid).ToString(CultureInfo.InvariantCulture);
        result[MTime] = (changes.ModifiedTime ?? current.ModifiedTime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        if (changes.AccessTime is { } atime) result[ATime] = atime.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return result;
    }

    /// <summary>The full st_mode stored, or null when absent or unreadable.</summary>
    public static int? ParseMode(IReadOnlyDictionary<string, string> metadata) =>
        metadata.TryGetValue(Mode, out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var mode) ? mode : null;

    public static uint? ParseId(IReadOnlyDictionary<string, string> metadata, string name) =>
        metadata.TryGetValue(name, out var text) && uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary>A time in seconds (whole or fractional, as rclone writes) or RFC 3339; null when absent or unreadable.</summary>
    public static DateTimeOffset? ParseTime(IReadOnlyDictionary<string, string> metadata, string name)
    {
        if (!metadata.TryGetValue(name, out var text)) return null;
        if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
            && seconds is > -62_135_596_800m and < 253_402_300_800m)
        {
            long whole = (long)decimal.Truncate(seconds);
            long ticks = (long)((seconds - whole) * TimeSpan.TicksPerSecond);
            return DateTimeOffset.FromUnixTimeSeconds(whole).AddTicks(ticks);
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
    }
}
