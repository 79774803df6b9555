using System.Globalization;

namespace Vfs.Cli.Commands;

/// <summary>Byte sizes users write by hand (--cache-size 10G, --block-size 1M). Bad text is one clear line.</summary>
public static class SizeValues
{
    /// <summary>
    /// Bytes as a number with an optional binary unit: "4096", "512K", "512M", "10G", "1.5T" (also "10GiB", "10GB":
    /// every unit is a power of 1024). At least <paramref name="minimum"/>.
    /// </summary>
    public static long Parse(string text, string option, long minimum = 0)
    {
        string trimmed = text.Trim();
        string upper = trimmed.ToUpperInvariant();
        if (upper.EndsWith("IB", StringComparison.Ordinal)) upper = upper[..^2];
        else if (upper.EndsWith('B')) upper = upper[..^1];
        double scale = 1;
        if (upper.Length > 0 && "KMGT".IndexOf(upper[^1]) is var unit and >= 0)
        {
            scale = Math.Pow(1024, unit + 1);
            upper = upper[..^1];
        }
        if (upper.Length > 0 && double.TryParse(upper, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value)
            && value * scale >= minimum && value * scale <= long.MaxValue / 2)
            return (long)(value * scale);
        throw new CliException(
            $"{option}: '{text}' is not a size (e.g. 512M, 10G; K, M, G, T are powers of 1024{(minimum > 0 ? $"; at least {minimum} bytes" : "")})",
            VfsCommand.UsageExitCode);
    }
}
