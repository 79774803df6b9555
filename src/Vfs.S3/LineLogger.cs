using Microsoft.Extensions.Logging;

namespace Vfs.S3;

/// <summary>An <see cref="ILogger"/> that writes one line per message to a sink (the CLI's stderr), from <see cref="MinimumLevel"/> up.</summary>
public sealed class LineLogger(Action<string> sink, LogLevel minimumLevel = LogLevel.Information, string prefix = "s3: ") : ILogger
{
    public LogLevel MinimumLevel { get; } = minimumLevel;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= MinimumLevel && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        sink(prefix + formatter(state, exception).ReplaceLineEndings(" "));
    }
}
