using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gofer.Server.Hosting;

/// <summary>One logging setup for every part of the gofer: single lines on stderr, so stdout stays free for what commands print.</summary>
public static class ConsoleLogging
{
    public static ILoggingBuilder Configure(ILoggingBuilder builder, LogLevel level)
    {
        builder.ClearProviders();
        builder.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.SetMinimumLevel(level);

        // ASP.NET Core's own start-up chatter is noise for a per-container process.
        builder.AddFilter("Microsoft", level < LogLevel.Warning ? LogLevel.Warning : level);
        return builder;
    }
}
