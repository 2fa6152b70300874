using Microsoft.Extensions.Logging;

namespace EchoCache.Net.Hosting;

/// <summary>
/// A small logger for the hosts: one line per event on standard error, with a UTC time, the level and the
/// category. Hand-written instead of Microsoft.Extensions.Logging.Console, which brings dependency injection
/// and configuration binding a Native AOT host does not need.
/// </summary>
public sealed class ConsoleLogger(string category, LogLevel minimum) : ILogger
{
    private static readonly Lock WriteLock = new();

    /// <summary>Parses a level name (trace, debug, information/info, warning/warn, error, critical, none).</summary>
    public static bool TryParseLevel(string text, out LogLevel level)
    {
        level = text.ToLowerInvariant() switch
        {
            "trace" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "info" or "information" => LogLevel.Information,
            "warn" or "warning" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "critical" => LogLevel.Critical,
            "none" => LogLevel.None,
            _ => (LogLevel)(-1),
        };
        return level >= 0;
    }

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }
        string level = logLevel switch
        {
            LogLevel.Trace => "trace",
            LogLevel.Debug => "debug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "error",
            _ => "crit",
        };
        string line = $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {level} {category}: {formatter(state, exception)}";
        if (exception != null)
        {
            line += Environment.NewLine + exception;
        }
        using (WriteLock.EnterScope())
        {
            Console.Error.WriteLine(line);
        }
    }
}
