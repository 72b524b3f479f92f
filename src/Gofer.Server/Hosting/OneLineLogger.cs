using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Gofer.Server.Hosting;

/// <summary>
/// Logs each entry as one line on stderr, rate-limited per category. What a client does wrong
/// (resets a connection, sends a malformed frame, breaks HTTP/2) is the client's business and
/// reaches the log through Kestrel, gRPC or the framed session: a stack trace there would be
/// dozens of lines per event, and a client repeating the event could fill the host's disk. So an
/// exception is shown as its type and message only, and past a burst a category's lines are
/// counted, not written, until its rate falls back.
/// </summary>
public sealed class OneLineLoggerProvider : ILoggerProvider
{
    /// <summary>Lines a category may write in a burst.</summary>
    public const int Burst = 10;

    /// <summary>How often a category earns back one line once its burst is spent: one a second.</summary>
    private static readonly long RefillTicks = Stopwatch.Frequency;

    private readonly ConcurrentDictionary<string, OneLineLogger> loggers = new();
    private readonly Lock output = new();

    public ILogger CreateLogger(string categoryName) => loggers.GetOrAdd(categoryName, name => new OneLineLogger(name, this));

    public void Dispose()
    {
    }

    private void Write(string line)
    {
        lock (output)
        {
            Console.Error.WriteLine(line);
        }
    }

    private sealed class OneLineLogger(string category, OneLineLoggerProvider provider) : ILogger
    {
        private readonly Lock gate = new();
        private double tokens = Burst;
        private long refilled = Stopwatch.GetTimestamp();
        private long suppressed;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            long dropped;
            lock (gate)
            {
                var now = Stopwatch.GetTimestamp();
                tokens = Math.Min(Burst, tokens + ((double)(now - refilled) / RefillTicks));
                refilled = now;
                if (tokens < 1)
                {
                    suppressed++;
                    return;
                }

                tokens--;
                dropped = suppressed;
                suppressed = 0;
            }

            var line = string.Create(CultureInfo.InvariantCulture, $"{DateTime.Now:HH:mm:ss.fff} {Level(logLevel)}: {category}[{eventId.Id}] {Flatten(formatter(state, exception))}");
            if (exception is not null)
            {
                line += $" ({exception.GetType().Name}: {Flatten(exception.Message)})";
            }

            if (dropped > 0)
            {
                line += $" [{dropped} similar lines suppressed]";
            }

            provider.Write(line);
        }

        private static string Level(LogLevel level) => level switch
        {
            LogLevel.Trace => "trce",
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            _ => "crit",
        };

        // A message may quote client bytes (a name, a reason): a newline in it must not start a
        // line that reads as another entry.
        private static string Flatten(string text) => text.ReplaceLineEndings(" ");
    }
}
