using System.Globalization;

namespace Vfs.Cli.Commands;

/// <summary>Parsers for option values users write by hand: octal modes and durations. Bad text is one clear line.</summary>
public static class OptionValues
{
    /// <summary>An octal permission mode such as 644 or 0755 (0 to 7777).</summary>
    public static int ParseMode(string text, string option)
    {
        try
        {
            int mode = Convert.ToInt32(text, 8);
            if (mode is >= 0 and <= 0xFFF) return mode;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
        }
        throw new CliException($"{option}: '{text}' is not an octal mode (0 to 7777, e.g. 644)", VfsCommand.UsageExitCode);
    }

    /// <summary>A duration: seconds as a number ("1", "0.5") or with a unit ("250ms", "2s", "1m").</summary>
    public static TimeSpan ParseDuration(string text, string option)
    {
        string trimmed = text.Trim();
        (string number, double scale) = trimmed switch
        {
            _ when trimmed.EndsWith("ms", StringComparison.Ordinal) => (trimmed[..^2], 0.001),
            _ when trimmed.EndsWith('s') => (trimmed[..^1], 1.0),
            _ when trimmed.EndsWith('m') => (trimmed[..^1], 60.0),
            _ => (trimmed, 1.0),
        };
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            && value >= 0 && value * scale <= TimeSpan.FromDays(1).TotalSeconds)
            return TimeSpan.FromSeconds(value * scale);
        throw new CliException($"{option}: '{text}' is not a duration (e.g. 1, 0.5s, 250ms; at most a day)", VfsCommand.UsageExitCode);
    }
}
