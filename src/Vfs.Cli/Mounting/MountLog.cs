using System.CommandLine;
using Microsoft.Extensions.Logging;
using Vfs.Cli.Commands;

namespace Vfs.Cli.Mounting;

/// <summary>
/// Where a mount logs (standard error, or <c>--log-file</c>) and from which level (<c>--log-level</c>; <c>--debug</c>
/// means debug). Every line passes through <see cref="Redact"/>, which blanks the values of the secret environment
/// variables (AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) wherever they would appear, so no code path can leak them.
/// One mount per process, so one log per process: <see cref="Configure"/> runs first in `vfs mount`.
/// </summary>
public static class MountLog
{
    private static readonly string[] SecretVariables = ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"];
    private static readonly Lock Sync = new();
    private static TextWriter _writer = Console.Error;
    private static string[] _secrets = [];

    public static readonly Option<string?> LogFile = new("--log-file")
    {
        Description = "Append log lines to this file instead of standard error.",
    };

    public static readonly Option<string> LogLevelOption = new("--log-level")
    {
        Description = "Least severe messages logged: error, warning, info, debug (--debug means debug).",
        DefaultValueFactory = _ => "info",
    };

    /// <summary>The least severe level written.</summary>
    public static LogLevel Level { get; private set; } = LogLevel.Information;

    public static void AddOptions(Command mount)
    {
        mount.Options.Add(LogFile);
        mount.Options.Add(LogLevelOption);
    }

    /// <summary>Reads --log-file and --log-level; bad values are usage errors.</summary>
    public static void Configure(ParseResult parse, bool debug)
    {
        Level = debug ? LogLevel.Debug : ParseLevel(parse.GetValue(LogLevelOption)!);
        _secrets = SecretVariables.Select(Environment.GetEnvironmentVariable).Where(v => v is { Length: >= 4 }).Cast<string>().ToArray();
        if (parse.GetValue(LogFile) is { } path)
        {
            string full = Path.GetFullPath(path);
            try
            {
                var stream = new FileStream(full, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
                _writer = new StreamWriter(stream) { AutoFlush = true };
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"--log-file: cannot write {full}: {e.Message}");
            }
        }
    }

    public static LogLevel ParseLevel(string text) => text.Trim().ToLowerInvariant() switch
    {
        "error" => LogLevel.Error,
        "warning" or "warn" => LogLevel.Warning,
        "info" or "information" => LogLevel.Information,
        "debug" or "trace" => LogLevel.Debug,
        _ => throw new CliException($"--log-level: '{text}' is not a level (error, warning, info, debug)", VfsCommand.UsageExitCode),
    };

    /// <summary>Writes <paramref name="line"/> when <paramref name="level"/> is at least <see cref="Level"/>.</summary>
    public static void Write(LogLevel level, string line)
    {
        if (level >= Level) Emit(line);
    }

    /// <summary>Writes <paramref name="line"/> (redacted) whatever the level: for sinks that filter by level themselves.</summary>
    public static void Emit(string line)
    {
        string safe = Redact(line);
        lock (Sync)
        {
            _writer.WriteLine(safe);
        }
    }

    /// <summary>
    /// The FUSE adapter's and the mount's own lines (mounted, unmounted, operation errors, and per-operation lines
    /// under --debug) carry no level: they are hidden only at --log-level error.
    /// </summary>
    public static void WriteMountLine(string line)
    {
        if (Level <= LogLevel.Warning) Emit(line);
    }

    public static string Redact(string line)
    {
        foreach (var secret in _secrets) line = line.Replace(secret, "[redacted]", StringComparison.Ordinal);
        return line;
    }
}
